/** The SDK's shell and service operations: validate, call the agent, map records. */

import type { Readable } from "node:stream";
import { machineClient } from "../core/machine.js";
import { guestPath, absoluteGuestPath as shown } from "../core/workspaces/guest-files.js";
import { type GuestService, GuestServices } from "../core/workspaces/guest-services.js";
import { type GuestShell, GuestShells } from "../core/workspaces/guest-shells.js";
import type { WorkspaceManager } from "../core/workspaces/manager.js";
import * as ports from "../core/workspaces/published-ports.js";
import { readWorkspaceRecord } from "../core/workspaces/record.js";
import { secretEnv } from "../core/workspaces/secrets.js";
import { renderPlain } from "../core/workspaces/terminal-text.js";
import { PyroError } from "../errors.js";
import * as R from "./schemas/runtime.js";
import { validate } from "./validate.js";

/** Resolves the workspace, checks it runs, and hands out agent clients. */
async function running(ws: WorkspaceManager, ref: string) {
  const id = await ws.resolve(ref);
  await ws.requireRunning(id);
  const client = machineClient(ws.paths(id));
  return { id, client, shells: new GuestShells(client), services: new GuestServices(client) };
}

/** The agent's `secret_env` for `NAME[=ENV_VAR]` specs. @throws PyroError secret_not_found */
async function secretEnvOf(ws: WorkspaceManager, id: string, specs: string[]) {
  if (specs.length === 0) return undefined;
  const record = await readWorkspaceRecord(ws.config.stateDir, id);
  try {
    return secretEnv(
      specs,
      record.secrets.map((s) => s.name),
    );
  } catch (err) {
    // A value typed where a name belongs must not come back in the error.
    throw (await ws.redactor(id)).error(err);
  }
}

/** Service records with secret values redacted (argv and readiness targets may hold them). */
async function redactedServices(
  ws: WorkspaceManager,
  id: string,
  records: R.Service[],
): Promise<R.Service[]> {
  const redact = await ws.redactor(id);
  return records.map((r) => redact.deep(r));
}

function shellRecord(id: string, s: GuestShell): R.Shell {
  return {
    workspaceId: id,
    shellId: s.shell_id,
    cwd: s.cwd,
    cols: s.cols,
    rows: s.rows,
    state: s.state,
    startedAt: s.started_at,
    endedAt: s.ended_at,
    exitCode: s.exit_code,
  };
}

/** Agent stop reasons, in the public contract's words (docs/public-contract.md). */
const STOP_REASONS: Record<string, string> = {
  readiness_timeout: "timeout",
  exited_before_ready: "exited_early",
};

export function serviceRecord(id: string, s: GuestService, published: ports.PublishedPort[] = []): R.Service {
  return {
    workspaceId: id,
    serviceName: s.service_name,
    command: s.command,
    cwd: s.cwd,
    state: s.state,
    pid: s.pid,
    startedAt: s.started_at,
    readyAt: s.ready_at,
    endedAt: s.ended_at,
    exitCode: s.exit_code,
    readiness: {
      type: s.readiness.type,
      target: s.readiness.target,
      timeoutMs: s.readiness.timeout_ms,
      intervalMs: s.readiness.interval_ms,
    },
    stopReason: s.stop_reason ? (STOP_REASONS[s.stop_reason] ?? s.stop_reason) : null,
    publishedPorts: published
      .filter((p) => p.service === s.service_name)
      .map((p) => ({ host: p.host, hostPort: p.host_port, guestPort: p.guest_port })),
  };
}

export async function openShell(ws: WorkspaceManager, input: R.OpenShellInput): Promise<R.Shell> {
  const args = validate(R.OpenShellInputSchema, input);
  const cwd = shown(guestPath(args.cwd));
  const { id, shells } = await running(ws, args.workspaceId);
  const secretEnv = await secretEnvOf(ws, id, args.secretEnv);
  // HISTFILE empty: bash keeps history in memory only, so typed input never reaches the disk.
  return shellRecord(
    id,
    await shells.open({
      cwd,
      cols: args.cols,
      rows: args.rows,
      env: { HISTFILE: "" },
      ...(secretEnv ? { secret_env: secretEnv } : {}),
    }),
  );
}

export async function readShell(ws: WorkspaceManager, input: R.ReadShellInput): Promise<R.ShellRead> {
  const args = validate(R.ReadShellInputSchema, input);
  const { id, shells } = await running(ws, args.workspaceId);
  const out = await shells.output(args.shellId, {
    cursor: args.cursor,
    maxBytes: args.maxChars,
    waitForIdleMs: args.waitForIdleMs,
    timeoutMs: Math.max(10_000, args.waitForIdleMs * 4),
  });
  const shell = await shells.get(args.shellId);
  return {
    ...shellRecord(id, shell),
    cursor: out.cursor,
    nextCursor: out.next_cursor,
    output: (await ws.redactor(id)).text(args.plain ? await renderPlain(out.output, shell.cols) : out.output),
    truncated: out.truncated || out.dropped > 0,
    droppedBytes: out.dropped,
  };
}

export async function writeShell(ws: WorkspaceManager, input: R.WriteShellInput) {
  const args = validate(R.WriteShellInputSchema, input);
  const { id, shells } = await running(ws, args.workspaceId);
  const data = Buffer.from(args.newline ? `${args.input}\n` : args.input, "utf8");
  const r = await shells.input(args.shellId, data);
  return { workspaceId: id, shellId: args.shellId, bytes: r.bytes };
}

export async function signalShell(ws: WorkspaceManager, input: R.SignalShellInput) {
  const args = validate(R.SignalShellInputSchema, input);
  const { id, shells } = await running(ws, args.workspaceId);
  await shells.signal(args.shellId, args.signal);
  return { workspaceId: id, shellId: args.shellId, signal: args.signal };
}

/** Live attach: `input` goes to the PTY, output to `onOutput`, until the shell exits or `signal` aborts. */
export async function attachShell(
  ws: WorkspaceManager,
  input: R.ShellRefInput,
  io: { input: Readable; onOutput: (chunk: Buffer) => void; signal?: AbortSignal },
): Promise<R.Shell> {
  const args = validate(R.ShellRefInputSchema, input);
  const { id, shells } = await running(ws, args.workspaceId);
  try {
    const output = await shells.attach(args.shellId, io.input, io.signal);
    for await (const chunk of output) io.onOutput(chunk as Buffer);
  } catch (err) {
    if (!io.signal?.aborted) throw err;
  }
  return shellRecord(id, await shells.get(args.shellId));
}

export async function resizeShell(ws: WorkspaceManager, input: R.ResizeShellInput): Promise<R.Shell> {
  const args = validate(R.ResizeShellInputSchema, input);
  const { id, shells } = await running(ws, args.workspaceId);
  return shellRecord(id, await shells.resize(args.shellId, args.cols, args.rows));
}

export async function closeShell(ws: WorkspaceManager, input: R.ShellRefInput): Promise<R.Shell> {
  const args = validate(R.ShellRefInputSchema, input);
  const { id, shells } = await running(ws, args.workspaceId);
  return shellRecord(id, await shells.close(args.shellId));
}

export async function listShells(
  ws: WorkspaceManager,
  ref: string,
): Promise<{ workspaceId: string; shells: R.Shell[] }> {
  const { id, shells } = await running(ws, ref);
  return { workspaceId: id, shells: (await shells.list()).map((s) => shellRecord(id, s)) };
}

function readiness(args: ReturnType<typeof R.StartServiceInputSchema.parse>) {
  const probes = [
    ["file", args.readyFile],
    ["tcp", args.readyTcp],
    ["http", args.readyHttp],
    ["command", args.readyCommand],
  ].filter((p): p is [string, string] => p[1] !== undefined);
  if (probes.length > 1) {
    throw new PyroError("invalid_argument", "give at most one readiness probe (file, tcp, http or command)");
  }
  const [type, target] = probes[0] ?? ["none", ""];
  return {
    type: type as "none" | "file" | "tcp" | "http" | "command",
    target,
    timeout_ms: args.readyTimeoutSeconds * 1000,
    interval_ms: args.readyIntervalMs,
  };
}

/**
 * Starts a service and waits for its readiness probe. A service that is not ready in time
 * (or exits first) comes back with `state: "failed"` and a `stopReason`, not as a throw.
 */
export async function startService(ws: WorkspaceManager, input: R.StartServiceInput): Promise<R.Service> {
  const args = validate(R.StartServiceInputSchema, input);
  const cwd = shown(guestPath(args.cwd));
  const probe = readiness(args);
  const specs = args.publish.map(ports.parsePublish);
  const { id, client, services } = await running(ws, args.workspaceId);
  if (specs.length > 0) ports.requirePublishable(id, (await ws.view(id)).network_policy);
  const secretEnv = await secretEnvOf(ws, id, args.secretEnv);
  const record = await services.start({
    name: args.serviceName,
    argv: args.command,
    cwd,
    readiness: probe,
    ...(secretEnv ? { secret_env: secretEnv } : {}),
  });
  // The agent accepted the start, so any service of this name had finished: close its ports
  // now rather than at the supervisor's next check (the new one must not inherit them).
  await ports.unpublishPorts(client, args.serviceName);
  let published: ports.PublishedPort[] = [];
  if (specs.length > 0 && ["starting", "running", "ready"].includes(record.state)) {
    try {
      published = await ports.publishPorts(client, args.serviceName, specs);
    } catch (err) {
      // All or nothing: a service whose ports cannot be published is stopped again.
      await ports.unpublishPorts(client, args.serviceName).catch(() => undefined);
      await services.stop(args.serviceName, 5000).catch(() => undefined);
      throw err;
    }
  }
  await ws.mutateRecord(id, () => undefined);
  return (await redactedServices(ws, id, [serviceRecord(id, record, published)]))[0] as R.Service;
}

export async function listServices(ws: WorkspaceManager, ref: string): Promise<R.ServiceList> {
  const { id, client, services } = await running(ws, ref);
  const published = await ports.listPublished(client);
  const all = await redactedServices(
    ws,
    id,
    (await services.list()).map((s) => serviceRecord(id, s, published)),
  );
  const runningCount = all.filter((s) => ["starting", "running", "ready"].includes(s.state)).length;
  return { workspaceId: id, count: all.length, runningCount, services: all };
}

export async function statusService(ws: WorkspaceManager, input: R.ServiceRefInput): Promise<R.Service> {
  const args = validate(R.ServiceRefInputSchema, input);
  const { id, client, services } = await running(ws, args.workspaceId);
  const record = serviceRecord(id, await services.get(args.serviceName), await ports.listPublished(client));
  return (await redactedServices(ws, id, [record]))[0] as R.Service;
}

export async function logsService(ws: WorkspaceManager, input: R.LogsServiceInput): Promise<R.ServiceLogs> {
  const args = validate(R.LogsServiceInputSchema, input);
  const { id, services } = await running(ws, args.workspaceId);
  const r = await services.logs(args.serviceName, args.tailLines, args.all);
  const redact = await ws.redactor(id);
  return {
    workspaceId: id,
    serviceName: r.service_name,
    stdout: redact.text(r.stdout),
    stderr: redact.text(r.stderr),
    truncated: r.truncated,
  };
}

export async function stopService(ws: WorkspaceManager, input: R.ServiceRefInput): Promise<R.Service> {
  const args = validate(R.ServiceRefInputSchema, input);
  const { id, client, services } = await running(ws, args.workspaceId);
  const record = await services.stop(args.serviceName, 5000);
  await ports.unpublishPorts(client, args.serviceName);
  await ws.mutateRecord(id, () => undefined);
  return (await redactedServices(ws, id, [serviceRecord(id, record)]))[0] as R.Service;
}
