/** `pyro workspace service start|list|status|logs|stop`. */
import type { Service } from "../../../sdk/index.js";
import type { CliContext } from "../../context.js";
import { phaseLine, printJson } from "../../output.js";

type Flags = { json: boolean };

export interface StartServiceFlags extends Flags {
  cwd: string;
  readyFile?: string;
  readyTcp?: string;
  readyHttp?: string;
  readyCommand?: string;
  readyTimeoutSeconds: number;
  readyIntervalMs: number;
  secretEnv?: string[];
  publish?: string[];
}

export interface ServiceLogsFlags extends Flags {
  tailLines: number;
  all: boolean;
}

function serviceLine(s: Service): void {
  phaseLine("workspace-service", {
    workspace_id: s.workspaceId,
    service: s.serviceName,
    state: s.state,
    pid: s.pid,
    readiness: s.readiness.type,
    stop_reason: s.stopReason,
    exit_code: s.exitCode,
    published: s.publishedPorts.map((p) => `${p.host}:${p.hostPort}->${p.guestPort}`).join(",") || null,
  });
}

export async function startService(
  ctx: CliContext,
  workspace: string,
  name: string,
  command: string[],
  f: StartServiceFlags,
) {
  const s = await (await ctx.pyro()).startService({
    workspaceId: workspace,
    serviceName: name,
    command,
    cwd: f.cwd,
    ...(f.readyFile ? { readyFile: f.readyFile } : {}),
    ...(f.readyTcp ? { readyTcp: f.readyTcp } : {}),
    ...(f.readyHttp ? { readyHttp: f.readyHttp } : {}),
    ...(f.readyCommand ? { readyCommand: f.readyCommand } : {}),
    readyTimeoutSeconds: f.readyTimeoutSeconds,
    readyIntervalMs: f.readyIntervalMs,
    secretEnv: f.secretEnv ?? [],
    publish: f.publish ?? [],
  });
  if (f.json) printJson(s);
  else serviceLine(s);
  if (s.state === "failed") {
    if (!f.json) process.stderr.write(`error[service_failed]: service "${name}" failed: ${s.stopReason}\n`);
    ctx.exitCode = 1;
  }
}

export async function listServices(ctx: CliContext, workspace: string, f: Flags) {
  const r = await (await ctx.pyro()).listServices(workspace);
  if (f.json) return printJson(r);
  for (const s of r.services) {
    process.stdout.write(`${s.serviceName}\t${s.state}\t${s.pid ?? "-"}\t${JSON.stringify(s.command)}\n`);
  }
  phaseLine("workspace-service-list", { count: r.count, running_count: r.runningCount });
}

export async function statusService(ctx: CliContext, workspace: string, name: string, f: Flags) {
  const s = await (await ctx.pyro()).statusService({ workspaceId: workspace, serviceName: name });
  if (f.json) printJson(s);
  else serviceLine(s);
}

export async function logsService(ctx: CliContext, workspace: string, name: string, f: ServiceLogsFlags) {
  const r = await (await ctx.pyro()).logsService({
    workspaceId: workspace,
    serviceName: name,
    tailLines: f.tailLines,
    all: f.all,
  });
  if (f.json) return printJson(r);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
}

export async function stopService(ctx: CliContext, workspace: string, name: string, f: Flags) {
  const s = await (await ctx.pyro()).stopService({ workspaceId: workspace, serviceName: name });
  if (f.json) printJson(s);
  else serviceLine(s);
}
