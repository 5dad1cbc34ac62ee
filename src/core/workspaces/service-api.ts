/**
 * Services of a workspace as the SDK offers them: long-running guest processes started with
 * one readiness probe, their ports published on the host (all or nothing), listed, read,
 * stopped; each answering with its contract record (snake_case), secret values redacted.
 */
import type { z } from "zod";
import type * as R from "../../contract/records/runtime.js";
import type {
  LogsServiceInputSchema,
  ServiceRefInputSchema,
  StartServiceInputSchema,
} from "../../contract/runtime.js";
import { PyroError } from "../../errors.js";
import { guestPath, absoluteGuestPath as shown } from "./guest-files.js";
import { countServices, type GuestService, RUNNING_SERVICE_STATES } from "./guest-services.js";
import type { WorkspaceManager } from "./manager.js";
import * as ports from "./published-ports.js";
import { runningWorkspace, secretEnvFor } from "./running-workspace.js";

/** Agent stop reasons, in the public contract's words (docs/public-contract.md). */
const STOP_REASONS: Record<string, string> = {
  readiness_timeout: "timeout",
  exited_before_ready: "exited_early",
};

function serviceRecord(id: string, s: GuestService, published: ports.PublishedPort[] = []): R.Service {
  return {
    workspace_id: id,
    service_name: s.service_name,
    command: s.command,
    cwd: s.cwd,
    state: s.state,
    pid: s.pid,
    started_at: s.started_at,
    ready_at: s.ready_at,
    ended_at: s.ended_at,
    exit_code: s.exit_code,
    readiness: {
      type: s.readiness.type,
      target: s.readiness.target,
      timeout_ms: s.readiness.timeout_ms,
      interval_ms: s.readiness.interval_ms,
    },
    stop_reason: s.stop_reason ? (STOP_REASONS[s.stop_reason] ?? s.stop_reason) : null,
    published_ports: published
      .filter((p) => p.service === s.service_name)
      .map((p) => ({ host: p.host, host_port: p.host_port, guest_port: p.guest_port })),
  };
}

/** Service records with secret values redacted (argv and readiness targets may hold them). */
async function redacted(ws: WorkspaceManager, id: string, records: R.Service[]): Promise<R.Service[]> {
  const redact = await ws.redactor(id);
  return records.map((r) => redact.deep(r));
}

/** The one readiness probe of a start. @throws PyroError invalid_argument for more than one */
function readiness(args: z.output<typeof StartServiceInputSchema>) {
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
 * (or exits first) comes back with `state: "failed"` and a `stop_reason`, not as a throw.
 * @throws PyroError service_exists, invalid_argument, network_unavailable (ports)
 */
export async function startService(
  ws: WorkspaceManager,
  args: z.output<typeof StartServiceInputSchema>,
): Promise<R.Service> {
  const cwd = shown(guestPath(args.cwd));
  const probe = readiness(args);
  const specs = args.publish.map(ports.parsePublish);
  const { id, client, services } = await runningWorkspace(ws, args.workspaceId);
  if (specs.length > 0) ports.requirePublishable(id, (await ws.view(id)).network_policy);
  const secretEnv = await secretEnvFor(ws, id, args.secretEnv);
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
  if (specs.length > 0 && RUNNING_SERVICE_STATES.includes(record.state)) {
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
  return (await redacted(ws, id, [serviceRecord(id, record, published)]))[0] as R.Service;
}

/** Services of a workspace with counts. */
export async function listServices(ws: WorkspaceManager, ref: string): Promise<R.ServiceList> {
  const { id, client, services } = await runningWorkspace(ws, ref);
  const published = await ports.listPublished(client);
  const all = await redacted(
    ws,
    id,
    (await services.list()).map((s) => serviceRecord(id, s, published)),
  );
  const [count, runningCount] = countServices(all);
  return { workspace_id: id, count, running_count: runningCount, services: all };
}

/** One service's record. @throws PyroError service_not_found */
export async function statusService(
  ws: WorkspaceManager,
  args: z.output<typeof ServiceRefInputSchema>,
): Promise<R.Service> {
  const { id, client, services } = await runningWorkspace(ws, args.workspaceId);
  const record = serviceRecord(id, await services.get(args.serviceName), await ports.listPublished(client));
  return (await redacted(ws, id, [record]))[0] as R.Service;
}

/** Tail (or all kept) stdout/stderr of a service. */
export async function logsService(
  ws: WorkspaceManager,
  args: z.output<typeof LogsServiceInputSchema>,
): Promise<R.ServiceLogs> {
  const { id, services } = await runningWorkspace(ws, args.workspaceId);
  const r = await services.logs(args.serviceName, args.tailLines, args.all);
  const redact = await ws.redactor(id);
  return {
    workspace_id: id,
    service_name: r.service_name,
    stdout: redact.text(r.stdout),
    stderr: redact.text(r.stderr),
    truncated: r.truncated,
  };
}

/** Stops a service: TERM to its process group, KILL after 5 s; its ports close. */
export async function stopService(
  ws: WorkspaceManager,
  args: z.output<typeof ServiceRefInputSchema>,
): Promise<R.Service> {
  const { id, client, services } = await runningWorkspace(ws, args.workspaceId);
  const record = await services.stop(args.serviceName, 5000);
  await ports.unpublishPorts(client, args.serviceName);
  await ws.mutateRecord(id, () => undefined);
  return (await redacted(ws, id, [serviceRecord(id, record)]))[0] as R.Service;
}
