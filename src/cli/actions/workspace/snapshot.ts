/** `pyro workspace snapshot create|list|delete` and `pyro workspace reset`. */
import type { CliContext } from "../../context.js";
import { phaseLine, printJson } from "../../output.js";
import { renderWorkspace } from "../../render/workspace.js";

type Flags = { json: boolean };

export async function createSnapshot(ctx: CliContext, workspace: string, name: string, f: Flags) {
  const s = await (await ctx.pyro()).createSnapshot({ workspaceId: workspace, name });
  if (f.json) printJson(s);
  else phaseLine("workspace-snapshot", { name: s.name, size_bytes: s.sizeBytes, created_at: s.createdAt });
}

export async function listSnapshots(ctx: CliContext, workspace: string, f: Flags) {
  const r = await (await ctx.pyro()).listSnapshots(workspace);
  if (f.json) return printJson(r);
  for (const s of r.snapshots) {
    process.stdout.write(
      `${s.name}\t${s.createdAt}\t${s.sizeBytes} bytes${s.implicit ? "\t(implicit)" : ""}\n`,
    );
  }
}

export async function deleteSnapshot(ctx: CliContext, workspace: string, name: string, f: Flags) {
  const r = await (await ctx.pyro()).deleteSnapshot({ workspaceId: workspace, name });
  if (f.json) printJson(r);
  else
    phaseLine("workspace-snapshot-delete", {
      workspace_id: r.workspaceId,
      name: r.name,
      deleted: r.deleted,
    });
}

export async function resetWorkspace(ctx: CliContext, workspace: string, f: Flags & { snapshot: string }) {
  const w = await (await ctx.pyro()).resetWorkspace({ workspaceId: workspace, snapshot: f.snapshot });
  if (f.json) printJson(w);
  else process.stdout.write(renderWorkspace(w));
}
