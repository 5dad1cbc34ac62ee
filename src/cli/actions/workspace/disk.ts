/** `pyro workspace stop|start|pause|resume|fork` and `pyro workspace disk list|read|export`. */
import type { StopStartResult } from "../../../sdk/index.js";
import type { CliContext } from "../../context.js";
import { phaseLine, printJson, safeName, writeFileContent } from "../../output.js";
import { renderWorkspace, renderWorkspaceTable } from "../../render/workspace.js";

type Flags = { json: boolean };

export interface DiskListFlags extends Flags {
  recursive: boolean;
}

export interface DiskReadFlags extends Flags {
  maxBytes: number;
  contentOnly: boolean;
}

function report(tag: string, r: StopStartResult, json: boolean, note: string): void {
  if (json) {
    printJson(r);
    return;
  }
  if (!r.changed) phaseLine(tag, { workspace_id: r.workspace.workspaceId, note });
  process.stdout.write(renderWorkspace(r.workspace));
}

export async function stopWorkspace(ctx: CliContext, workspace: string, f: Flags) {
  report("workspace-stop", await (await ctx.pyro()).stopWorkspace(workspace), f.json, "already_stopped");
}

export async function startWorkspace(ctx: CliContext, workspace: string, f: Flags) {
  report("workspace-start", await (await ctx.pyro()).startWorkspace(workspace), f.json, "already_running");
}

export async function pauseWorkspace(ctx: CliContext, workspace: string, f: Flags) {
  report("workspace-pause", await (await ctx.pyro()).pauseWorkspace(workspace), f.json, "already_paused");
}

export async function resumeWorkspace(ctx: CliContext, workspace: string, f: Flags) {
  report("workspace-resume", await (await ctx.pyro()).resumeWorkspace(workspace), f.json, "already_running");
}

export interface ForkFlags extends Flags {
  name?: string;
  count: number;
  idOnly: boolean;
}

export async function forkWorkspace(ctx: CliContext, workspace: string, f: ForkFlags) {
  const r = await (await ctx.pyro()).forkWorkspace(
    { workspaceId: workspace, count: f.count, ...(f.name ? { name: f.name } : {}) },
    {
      signal: ctx.signal,
      ...(f.json ? {} : { onPhase: (phase, fields) => phaseLine("workspace-fork", { phase, ...fields }) }),
    },
  );
  if (f.json) return printJson(r);
  if (f.idOnly) return void process.stdout.write(r.workspaces.map((w) => `${w.workspaceId}\n`).join(""));
  process.stdout.write(`Forked ${r.forkedFrom} into ${r.count}:\n${renderWorkspaceTable(r.workspaces)}`);
}

export async function listWorkspaceDisk(ctx: CliContext, workspace: string, path: string, f: DiskListFlags) {
  const r = await (await ctx.pyro()).listWorkspaceDisk({
    workspaceId: workspace,
    path,
    recursive: f.recursive,
  });
  if (f.json) return printJson(r);
  for (const e of r.entries) {
    process.stdout.write(
      `${e.type.padEnd(7)} ${e.mode} ${String(e.size).padStart(10)} ${e.mtime} ${safeName(e.path)}\n`,
    );
  }
}

export async function readWorkspaceDisk(ctx: CliContext, workspace: string, path: string, f: DiskReadFlags) {
  const r = await (await ctx.pyro()).readWorkspaceDisk({
    workspaceId: workspace,
    path,
    maxBytes: f.maxBytes,
  });
  if (f.json) return printJson(r);
  writeFileContent(r);
  if (!f.contentOnly)
    phaseLine("workspace-disk-read", { path: r.path, size: r.size, truncated: r.truncated });
}

export async function exportWorkspaceDisk(ctx: CliContext, workspace: string, f: Flags & { output: string }) {
  const r = await (await ctx.pyro()).exportWorkspaceDisk({ workspaceId: workspace, outputPath: f.output });
  if (f.json) return printJson(r);
  phaseLine("workspace-disk-export", {
    workspace_id: r.workspaceId,
    output_path: r.outputPath,
    disk_format: r.diskFormat,
    bytes_written: r.bytesWritten,
  });
}
