/** `pyro workspace sync push|export|diff|patch apply`: host <-> /workspace transfers and changes. */
import { PyroError } from "../../../sdk/index.js";
import type { CliContext } from "../../context.js";
import { readFlagFile } from "../../flag-file.js";
import { phaseLine, printJson, printResult } from "../../output.js";

type Flags = { json: boolean };

export interface PushFlags extends Flags {
  dest: string;
}

export interface PatchFlags extends Flags {
  patch?: string;
  patchFile?: string;
}

export async function pushWorkspaceSync(ctx: CliContext, workspace: string, source: string, f: PushFlags) {
  const r = await (await ctx.pyro()).pushWorkspaceSync({
    workspaceId: workspace,
    sourcePath: source,
    dest: f.dest,
  });
  printResult(f.json, r, "workspace-sync", {
    workspace_id: r.workspaceId,
    source_kind: r.sourceKind,
    destination: r.destination,
    entries: r.entries,
    bytes: r.bytes,
  });
}

export async function exportWorkspace(
  ctx: CliContext,
  workspace: string,
  path: string,
  f: Flags & { output: string },
) {
  const r = await (await ctx.pyro()).exportWorkspace({ workspaceId: workspace, path, outputPath: f.output });
  printResult(f.json, r, "workspace-export", {
    workspace_id: r.workspaceId,
    guest_path: r.guestPath,
    output_path: r.outputPath,
    kind: r.kind,
    entries: r.entries,
  });
}

export async function diffWorkspace(ctx: CliContext, workspace: string, f: Flags) {
  const r = await (await ctx.pyro()).diffWorkspace(workspace);
  if (f.json) return printJson(r);
  process.stdout.write(r.patch);
  // The patch shows text content changes; everything else gets a line of its own.
  const inPatch = (x: { kind: string; status: string }) =>
    x.kind === "text" && (x.status === "added" || x.status === "deleted" || x.status === "modified");
  for (const e of r.entries.filter((x) => !inPatch(x))) {
    const modes = e.oldMode !== e.newMode ? ` mode ${e.oldMode ?? "-"} -> ${e.newMode ?? "-"}` : "";
    process.stdout.write(`${e.status} ${e.kind} ${e.path}${modes}\n`);
  }
  const s = r.summary;
  phaseLine("workspace-diff", {
    workspace_id: r.workspaceId,
    changed: r.changed,
    added: s.added,
    modified: s.modified,
    deleted: s.deleted,
    type_changed: s.typeChanged,
    mode_changed: s.modeChanged,
    binary: s.binary,
  });
}

export async function applyWorkspacePatch(ctx: CliContext, workspace: string, f: PatchFlags) {
  if (Boolean(f.patch) === Boolean(f.patchFile)) {
    throw new PyroError("usage", "give exactly one of --patch TEXT or --patch-file FILE");
  }
  const text = f.patch ?? (await readFlagFile("--patch-file", f.patchFile!));
  const r = await (await ctx.pyro()).applyWorkspacePatch({ workspaceId: workspace, patch: text });
  if (f.json) return printJson(r);
  for (const file of r.files) process.stdout.write(`${file.status} ${file.path}\n`);
  phaseLine("workspace-patch", {
    workspace_id: r.workspaceId,
    applied: r.applied,
    files: r.files.length,
  });
}
