/** `pyro workspace create|list|update|status|logs|delete`: one SDK call each, rendered. */
import type { CreateWorkspaceInput } from "../../../sdk/index.js";
import type { CliContext } from "../../context.js";
import { phaseLine, printJson } from "../../output.js";
import { renderWorkspace, renderWorkspaceTable } from "../../render/workspace.js";

type Flags = { json: boolean };
type Secret = { name: string; value: string } | { name: string; filePath: string };

export interface CreateFlags extends Flags {
  vcpuCount: number;
  memMib: number;
  ttlSeconds: number;
  ttlAction: "pause" | "delete";
  autoResume: boolean;
  networkPolicy: CreateWorkspaceInput["networkPolicy"];
  seedPath?: string;
  projectPath?: string;
  repoUrl?: string;
  repoRef?: string;
  name?: string;
  label?: Record<string, string>;
  secret?: Secret[];
  secretFile?: Secret[];
  maxPids?: number;
  diskMib?: number;
  cold?: boolean;
  idOnly: boolean;
}

export interface LabelFlags extends Flags {
  label?: Record<string, string>;
}

export interface UpdateFlags extends LabelFlags {
  name?: string;
  clearLabel?: string[];
}

export async function createWorkspace(ctx: CliContext, environment: string, f: CreateFlags): Promise<void> {
  const w = await (await ctx.pyro()).createWorkspace(
    {
      environment,
      vcpuCount: f.vcpuCount,
      memMib: f.memMib,
      ttlSeconds: f.ttlSeconds,
      ttlAction: f.ttlAction,
      autoResume: f.autoResume,
      networkPolicy: f.networkPolicy,
      ...(f.seedPath ? { seedPath: f.seedPath } : {}),
      ...(f.projectPath ? { projectPath: f.projectPath } : {}),
      ...(f.repoUrl ? { repoUrl: f.repoUrl } : {}),
      ...(f.repoRef ? { repoRef: f.repoRef } : {}),
      ...(f.name ? { name: f.name } : {}),
      labels: f.label ?? {},
      secrets: [...(f.secret ?? []), ...(f.secretFile ?? [])],
      ...(f.maxPids !== undefined ? { maxPids: f.maxPids } : {}),
      ...(f.diskMib !== undefined ? { diskMib: f.diskMib } : {}),
      cold: f.cold ?? false,
    },
    {
      signal: ctx.signal,
      ...(f.json ? {} : { onPhase: (phase, fields) => phaseLine("workspace-create", { phase, ...fields }) }),
    },
  );
  if (f.json) printJson(w);
  else if (f.idOnly) process.stdout.write(`${w.workspaceId}\n`);
  else process.stdout.write(renderWorkspace(w));
}

export async function listWorkspaces(ctx: CliContext, f: LabelFlags): Promise<void> {
  const r = await (await ctx.pyro()).listWorkspaces();
  const wanted = Object.entries(f.label ?? {});
  const workspaces = r.workspaces.filter((w) => wanted.every(([k, v]) => w.labels[k] === v));
  if (f.json) printJson({ count: workspaces.length, workspaces });
  else process.stdout.write(renderWorkspaceTable(workspaces));
}

export async function updateWorkspace(ctx: CliContext, workspace: string, f: UpdateFlags): Promise<void> {
  const w = await (await ctx.pyro()).updateWorkspace({
    workspaceId: workspace,
    ...(f.name ? { name: f.name } : {}),
    ...(f.label ? { labels: f.label } : {}),
    ...(f.clearLabel ? { clearLabels: f.clearLabel } : {}),
  });
  if (f.json) printJson(w);
  else process.stdout.write(renderWorkspace(w));
}

export async function statusWorkspace(ctx: CliContext, workspace: string, f: Flags): Promise<void> {
  const w = await (await ctx.pyro()).statusWorkspace(workspace);
  if (f.json) printJson(w);
  else process.stdout.write(renderWorkspace(w));
}

export async function logsWorkspace(ctx: CliContext, workspace: string, f: Flags): Promise<void> {
  const r = await (await ctx.pyro()).logsWorkspace(workspace);
  if (f.json) return printJson(r);
  for (const e of r.entries) {
    process.stdout.write(
      `#${e.sequence} $ ${JSON.stringify(e.command)} exit_code=${e.exitCode} duration_ms=${e.durationMs}${e.timedOut ? " timed_out" : ""}\n`,
    );
    if (e.stdout) process.stdout.write(e.stdout.endsWith("\n") ? e.stdout : `${e.stdout}\n`);
    if (e.stderr) process.stdout.write(e.stderr.endsWith("\n") ? e.stderr : `${e.stderr}\n`);
  }
  if (r.count === 0) process.stdout.write("No commands yet.\n");
}

export async function deleteWorkspace(ctx: CliContext, workspace: string, f: Flags): Promise<void> {
  const r = await (await ctx.pyro()).deleteWorkspace(workspace);
  if (f.json) printJson(r);
  else phaseLine("workspace-delete", { workspace_id: r.workspaceId, deleted: r.deleted });
}
