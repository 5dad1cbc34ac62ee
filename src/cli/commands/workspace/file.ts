/** `pyro workspace file list|read|write`. */
import { Command } from "commander";
import { PyroError } from "../../../sdk/index.js";
import { type CliContext, intOption, readFlagFile } from "../../context.js";
import { phaseLine, printJson, safeName, withJson } from "../../output.js";

export function fileCommand(ctx: CliContext): Command {
  const file = new Command("file").description("list, read and write files in /workspace");
  file.addCommand(
    withJson(
      new Command("list")
        .description("list a directory of /workspace (or one file)")
        .argument("<workspace>")
        .argument("[path]", "inside /workspace", "/workspace")
        .option("--recursive", "descend into directories", false),
    ).action(async (workspace: string, path: string, f) => {
      const r = await ctx.pyro().listWorkspaceFiles({ workspaceId: workspace, path, recursive: f.recursive });
      if (f.json) return printJson(r);
      for (const e of r.entries) {
        const link = e.linkTarget ? ` -> ${safeName(e.linkTarget)}` : "";
        process.stdout.write(
          `${e.type.padEnd(7)} ${e.mode} ${String(e.size).padStart(10)} ${safeName(e.path)}${link}\n`,
        );
      }
    }),
  );
  file.addCommand(
    withJson(
      new Command("read")
        .description("print a file of /workspace")
        .argument("<workspace>")
        .argument("<path>")
        .option("--max-bytes <n>", "bytes to read at most", intOption("--max-bytes"), 65536)
        .option("--content-only", "print only the content, no summary line", false),
    ).action(async (workspace: string, path: string, f) => {
      const r = await ctx.pyro().readWorkspaceFile({ workspaceId: workspace, path, maxBytes: f.maxBytes });
      if (f.json) return printJson(r);
      process.stdout.write(r.encoding === "base64" ? Buffer.from(r.content, "base64") : r.content);
      if (!f.contentOnly) {
        phaseLine("workspace-file-read", {
          path: r.path,
          size: r.size,
          truncated: r.truncated,
          encoding: r.encoding,
        });
      }
    }),
  );
  file.addCommand(
    withJson(
      new Command("write")
        .description("write a text file in /workspace (at most 1 MiB, atomic)")
        .argument("<workspace>")
        .argument("<path>")
        .option("--text <text>", "the new content")
        .option("--text-file <path>", "a host file holding the new content"),
    ).action(async (workspace: string, path: string, f) => {
      if ((f.text === undefined) === (f.textFile === undefined)) {
        throw new PyroError("usage", "give exactly one of --text TEXT or --text-file FILE");
      }
      const text = f.text ?? (await readFlagFile("--text-file", f.textFile));
      const r = await ctx.pyro().writeWorkspaceFile({ workspaceId: workspace, path, text });
      if (f.json) printJson(r);
      else phaseLine("workspace-file-write", { workspace_id: r.workspaceId, path: r.path, bytes: r.bytes });
    }),
  );
  return file;
}
