/** `pyro workspace file list|read|write`: files of /workspace in a running workspace. */
import { PyroError } from "../../../sdk/index.js";
import type { CliContext } from "../../context.js";
import { readFlagFile } from "../../flag-file.js";
import { phaseLine, printJson, safeName, writeFileContent } from "../../output.js";

type Flags = { json: boolean };

export interface ListFlags extends Flags {
  recursive: boolean;
}

export interface ReadFlags extends Flags {
  maxBytes: number;
  contentOnly: boolean;
}

export interface WriteFlags extends Flags {
  text?: string;
  textFile?: string;
}

export async function listWorkspaceFiles(ctx: CliContext, workspace: string, path: string, f: ListFlags) {
  const r = await (await ctx.pyro()).listWorkspaceFiles({
    workspaceId: workspace,
    path,
    recursive: f.recursive,
  });
  if (f.json) return printJson(r);
  for (const e of r.entries) {
    const link = e.linkTarget ? ` -> ${safeName(e.linkTarget)}` : "";
    process.stdout.write(
      `${e.type.padEnd(7)} ${e.mode} ${String(e.size).padStart(10)} ${safeName(e.path)}${link}\n`,
    );
  }
}

export async function readWorkspaceFile(ctx: CliContext, workspace: string, path: string, f: ReadFlags) {
  const r = await (await ctx.pyro()).readWorkspaceFile({
    workspaceId: workspace,
    path,
    maxBytes: f.maxBytes,
  });
  if (f.json) return printJson(r);
  writeFileContent(r);
  if (!f.contentOnly) {
    phaseLine("workspace-file-read", {
      path: r.path,
      size: r.size,
      truncated: r.truncated,
      encoding: r.encoding,
    });
  }
}

export async function writeWorkspaceFile(ctx: CliContext, workspace: string, path: string, f: WriteFlags) {
  if ((f.text === undefined) === (f.textFile === undefined)) {
    throw new PyroError("usage", "give exactly one of --text TEXT or --text-file FILE");
  }
  const text = f.text ?? (await readFlagFile("--text-file", f.textFile!));
  const r = await (await ctx.pyro()).writeWorkspaceFile({ workspaceId: workspace, path, text });
  if (f.json) printJson(r);
  else phaseLine("workspace-file-write", { workspace_id: r.workspaceId, path: r.path, bytes: r.bytes });
}
