/**
 * The SDK's workspace operations: validate, delegate to src/core/workspaces, map records.
 * `Pyro` exposes each as a one-line method.
 */

import { resolve } from "node:path";
import { machineClient } from "../core/machine.js";
import { GuestFiles, guestPath, absoluteGuestPath as shown } from "../core/workspaces/guest-files.js";
import { readGuestLimits } from "../core/workspaces/guest-limits.js";
import { GuestServices } from "../core/workspaces/guest-services.js";
import type { WorkspaceManager, WorkspaceView } from "../core/workspaces/manager.js";
import { resolveSecrets } from "../core/workspaces/secrets.js";
import type { SnapshotInfo } from "../core/workspaces/snapshots.js";
import { isText } from "../core/workspaces/tree.js";
import { PyroError, TimeoutError } from "../errors.js";
import { quickExecInput } from "./exec-input.js";
import type { RunHooks } from "./options.js";
import type {
  ApplyWorkspacePatchInput,
  CreateWorkspaceInput,
  ExecWorkspaceInput,
  ExportResult,
  ExportWorkspaceInput,
  FileList,
  FileRead,
  FileWrite,
  ListWorkspaceFilesInput,
  PatchResult,
  PushWorkspaceSyncInput,
  ReadWorkspaceFileInput,
  ResetWorkspaceInput,
  Snapshot,
  SnapshotInput,
  SnapshotList,
  SyncResult,
  UpdateWorkspaceInput,
  Workspace,
  WorkspaceDiffResult,
  WorkspaceExecResult,
  WorkspaceLogs,
  WriteWorkspaceFileInput,
} from "./schemas/workspace.js";
import { validateAs } from "./validate.js";

// Seed, sync, export, diff, patch and snapshot code (with tar and diff) loads when one of them
// runs: start-up that exec, file, status and shell calls never need.
const transfer = () => import("../core/workspaces/transfer.js");
const snapshots = () => import("../core/workspaces/snapshots.js");

/** Files of a running workspace, through its agent. */
const guestFiles = (ws: WorkspaceManager, id: string) => new GuestFiles(machineClient(ws.paths(id)));

/** Service counts of a running workspace (0/0 when it is not running or does not answer). */
async function serviceCounts(ws: WorkspaceManager, v: WorkspaceView): Promise<[number, number]> {
  if (v.state !== "started") return [0, 0];
  try {
    const all = await new GuestServices(machineClient(ws.paths(v.workspace_id))).list(3_000);
    return [all.length, all.filter((s) => ["starting", "running", "ready"].includes(s.state)).length];
  } catch {
    return [0, 0];
  }
}

export async function liveRecord(ws: WorkspaceManager, v: WorkspaceView): Promise<Workspace> {
  // The process cap and count, when the guest runs and answers (like the service counts).
  const limits =
    v.state === "started" ? readGuestLimits(machineClient(ws.paths(v.workspace_id)), 3_000) : undefined;
  const [[count, running], live] = await Promise.all([serviceCounts(ws, v), limits?.catch(() => undefined)]);
  return {
    ...workspaceRecord(v),
    serviceCount: count,
    runningServiceCount: running,
    ...(live?.enabled ? { maxPids: live.max_pids, userProcessCount: live.user_process_count } : {}),
  };
}

export function workspaceRecord(v: WorkspaceView): Workspace {
  return {
    workspaceId: v.workspace_id,
    name: v.name,
    labels: v.labels,
    environment: v.environment,
    state: v.state,
    vcpuCount: v.vcpu_count,
    memMib: v.mem_mib,
    ttlSeconds: v.ttl_seconds,
    networkPolicy: v.network_policy,
    executionMode: v.execution_mode,
    acceleration: v.acceleration,
    createdAt: v.created_at,
    lastActivityAt: v.last_activity_at,
    expiresAt: v.expires_at,
    workspaceSeed: { mode: v.workspace_seed.mode, seedPath: v.workspace_seed.seed_path },
    secrets: v.secrets.map((s) => ({ name: s.name, sourceKind: s.source_kind })),
    network: v.network
      ? { interface: v.network.interface, hostIp: v.network.host_ip, guestIp: v.network.guest_ip }
      : null,
    commandCount: v.command_count,
    serviceCount: 0,
    runningServiceCount: 0,
    maxPids: v.max_pids,
    diskMib: v.disk?.size_mib ?? null,
    diskAllocatedMib: v.disk?.allocated_mib ?? null,
    userProcessCount: null,
    error: v.error,
  };
}

export const resolveRef = async (ws: WorkspaceManager, ref: string) =>
  ws.resolve(await validateAs("WorkspaceRef", ref));

export async function createWorkspace(
  ws: WorkspaceManager,
  input: CreateWorkspaceInput,
  signal?: AbortSignal,
  onPhase?: RunHooks["onPhase"],
): Promise<Workspace> {
  const args = await validateAs("CreateWorkspaceInputSchema", input);
  await ws.reapExpired();
  const { captureBaseline, pushTree, validateSeed } = await transfer();
  // Absolute, so the record still names the seed when read from another directory.
  const seedPath = args.seedPath ? resolve(args.seedPath) : undefined;
  // A bad seed is refused before any VM boots (pushTree checks it again when sending).
  const seed = seedPath ? { mode: await validateSeed(seedPath), path: seedPath } : undefined;
  const secrets = await resolveSecrets(args.secrets);
  const start = {
    cold: args.cold,
    onTemplate: (event: Record<string, string | number>) => onPhase?.("template", event),
    onStarted: (r: { boot: string; template?: string; reason?: string }) =>
      onPhase?.("start", {
        boot: r.boot,
        ...(r.template ? { template: r.template } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
      }),
  };
  const view = await ws.create(
    { ...args, seed, secrets, start },
    async (id) => {
      if (seed) await pushTree(ws, id, seed.path, "/workspace");
    },
    (id) => captureBaseline(ws, id),
    signal,
  );
  return workspaceRecord(view);
}

export async function listWorkspaces(
  ws: WorkspaceManager,
): Promise<{ count: number; workspaces: Workspace[] }> {
  await ws.reapExpired();
  const all = await Promise.all((await ws.list()).map((v) => liveRecord(ws, v)));
  return { count: all.length, workspaces: all };
}

export async function updateWorkspace(ws: WorkspaceManager, input: UpdateWorkspaceInput): Promise<Workspace> {
  const args = await validateAs("UpdateWorkspaceInputSchema", input);
  const id = await ws.resolve(args.workspaceId);
  const view = await ws.mutate(id, (r) => {
    if (args.name !== undefined) r.name = args.name;
    r.labels = { ...r.labels, ...(args.labels ?? {}) };
    for (const key of args.clearLabels ?? []) delete r.labels[key];
  });
  return workspaceRecord(view);
}

export async function statusWorkspace(ws: WorkspaceManager, ref: string): Promise<Workspace> {
  return liveRecord(ws, await ws.view(await resolveRef(ws, ref)));
}

export async function logsWorkspace(ws: WorkspaceManager, ref: string): Promise<WorkspaceLogs> {
  const id = await resolveRef(ws, ref);
  const entries = (await ws.history(id)).map((e) => ({
    sequence: e.sequence,
    command: e.command,
    cwd: e.cwd,
    exitCode: e.exit_code,
    timedOut: e.timed_out,
    durationMs: e.duration_ms,
    startedAt: e.started_at,
    stdout: e.stdout,
    stderr: e.stderr,
    outputTruncated: e.output_truncated,
  }));
  return { workspaceId: id, count: entries.length, entries };
}

export async function deleteWorkspace(ws: WorkspaceManager, ref: string) {
  const r = await ws.delete(await resolveRef(ws, ref));
  return { workspaceId: r.workspace_id, deleted: r.deleted };
}

export async function execWorkspace(
  ws: WorkspaceManager,
  input: ExecWorkspaceInput,
  hooks: Omit<RunHooks, "onPhase">,
): Promise<WorkspaceExecResult> {
  const args = quickExecInput(input) ?? (await validateAs("ExecWorkspaceInputSchema", input));
  const id = await ws.resolve(args.workspaceId);
  const { result, sequence, command } = await ws
    .exec(id, { ...args, ...hooks })
    .catch(async (err: unknown) => {
      throw (await ws.redactor(id)).error(err);
    });
  if (result.timedOut) {
    throw new TimeoutError(`command timed out after ${args.timeoutSeconds} s in workspace "${id}"`, {
      details: { timeout_seconds: args.timeoutSeconds, workspace_id: id, sequence },
    });
  }
  return {
    workspaceId: id,
    sequence,
    command,
    cwd: "/workspace",
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: result.durationMs,
    executionMode: "guest_virtio_serial",
  };
}

/** Runs `fn` on a started workspace under its lock, then marks activity. */
async function mutating<T>(ws: WorkspaceManager, ref: string, fn: (id: string) => Promise<T>): Promise<T> {
  const id = await ws.resolve(ref);
  await ws.requireRunning(id);
  let out: T | undefined;
  await ws.mutate(id, async () => {
    out = await fn(id);
  });
  return out as T;
}

export async function pushWorkspaceSync(
  ws: WorkspaceManager,
  input: PushWorkspaceSyncInput,
): Promise<SyncResult> {
  const args = await validateAs("PushWorkspaceSyncInputSchema", input);
  return mutating(ws, args.workspaceId, async (id) => {
    const r = await (await transfer()).pushTree(ws, id, args.sourcePath, args.dest);
    return {
      workspaceId: id,
      sourcePath: args.sourcePath,
      sourceKind: r.kind,
      destination: r.destination,
      entries: r.entries,
      bytes: r.bytes,
    };
  });
}

export async function exportWorkspace(
  ws: WorkspaceManager,
  input: ExportWorkspaceInput,
): Promise<ExportResult> {
  const args = await validateAs("ExportWorkspaceInputSchema", input);
  const id = await ws.resolve(args.workspaceId);
  await ws.requireRunning(id);
  const r = await (await transfer()).exportTree(ws, id, args.path, args.outputPath);
  return { workspaceId: id, ...r };
}

export async function diffWorkspaceOp(ws: WorkspaceManager, ref: string): Promise<WorkspaceDiffResult> {
  const id = await resolveRef(ws, ref);
  await ws.requireRunning(id);
  const d = await (await import("../core/workspaces/diff.js")).diffWorkspace(ws, id);
  return {
    workspaceId: id,
    changed: d.changed,
    summary: {
      added: d.summary.added,
      deleted: d.summary.deleted,
      modified: d.summary.modified,
      typeChanged: d.summary.type_changed,
      modeChanged: d.summary.mode_changed,
      binary: d.summary.binary,
    },
    entries: d.entries.map((e) => ({
      path: e.path,
      status: e.status,
      kind: e.kind,
      oldMode: e.old_mode,
      newMode: e.new_mode,
    })),
    patch: d.patch,
  };
}

export async function listWorkspaceFiles(
  ws: WorkspaceManager,
  input: ListWorkspaceFilesInput,
): Promise<FileList> {
  const args = await validateAs("ListWorkspaceFilesInputSchema", input);
  const id = await ws.resolve(args.workspaceId);
  await ws.requireRunning(id);
  const rel = guestPath(args.path);
  const entries = await guestFiles(ws, id).list(rel, args.recursive);
  return {
    workspaceId: id,
    path: shown(rel),
    recursive: args.recursive,
    entries: entries.map((e) => ({
      path: e.path,
      type: e.type,
      size: e.size,
      mode: e.mode,
      mtime: e.mtime,
      linkTarget: e.link_target ?? null,
    })),
  };
}

/** A file read as a record: UTF-8 text when it is text, base64 otherwise. */
export function fileReadRecord(
  workspaceId: string,
  path: string,
  r: { size: number; truncated: boolean; content: Buffer },
): FileRead {
  const text = isText(r.content);
  return {
    workspaceId,
    path,
    size: r.size,
    truncated: r.truncated,
    encoding: text ? "utf-8" : "base64",
    content: text ? r.content.toString("utf8") : r.content.toString("base64"),
  };
}

export async function readWorkspaceFile(
  ws: WorkspaceManager,
  input: ReadWorkspaceFileInput,
): Promise<FileRead> {
  const args = await validateAs("ReadWorkspaceFileInputSchema", input);
  const id = await ws.resolve(args.workspaceId);
  await ws.requireRunning(id);
  const rel = guestPath(args.path);
  if (rel === ".") throw new PyroError("invalid_argument", "/workspace is a directory; use file list");
  return fileReadRecord(id, shown(rel), await guestFiles(ws, id).read(rel, args.maxBytes));
}

export async function writeWorkspaceFile(
  ws: WorkspaceManager,
  input: WriteWorkspaceFileInput,
): Promise<FileWrite> {
  const args = await validateAs("WriteWorkspaceFileInputSchema", input);
  const rel = guestPath(args.path);
  if (rel === ".") throw new PyroError("invalid_argument", "cannot write over /workspace itself");
  return mutating(ws, args.workspaceId, async (id) => {
    const r = await guestFiles(ws, id).write(rel, Buffer.from(args.text, "utf8"));
    return { workspaceId: id, path: shown(rel), bytes: r.bytes };
  });
}

export async function applyPatch(
  ws: WorkspaceManager,
  input: ApplyWorkspacePatchInput,
): Promise<PatchResult> {
  const args = await validateAs("ApplyWorkspacePatchInputSchema", input);
  return mutating(ws, args.workspaceId, async (id) => {
    const r = await (await import("../core/workspaces/patch.js")).applyWorkspacePatch(ws, id, args.patch);
    return {
      workspaceId: id,
      applied: r.applied,
      files: r.files.map((f) => ({ path: shown(f.path), status: f.status })),
    };
  });
}

const snapshotRecord = (s: SnapshotInfo): Snapshot => ({
  name: s.name,
  createdAt: s.created_at,
  sizeBytes: s.size_bytes,
  implicit: s.implicit,
});

export async function createSnapshot(ws: WorkspaceManager, input: SnapshotInput): Promise<Snapshot> {
  const args = await validateAs("SnapshotInputSchema", input);
  const id = await ws.resolve(args.workspaceId);
  return snapshotRecord(await (await snapshots()).createSnapshot(ws, id, args.name));
}

export async function listSnapshots(ws: WorkspaceManager, ref: string): Promise<SnapshotList> {
  const id = await resolveRef(ws, ref);
  const list = (await (await snapshots()).listSnapshots(ws, id)).map(snapshotRecord);
  return { workspaceId: id, count: list.length, snapshots: list };
}

export async function deleteSnapshot(ws: WorkspaceManager, input: SnapshotInput) {
  const args = await validateAs("SnapshotInputSchema", input);
  const id = await ws.resolve(args.workspaceId);
  await (await snapshots()).deleteSnapshot(ws, id, args.name);
  return { workspaceId: id, name: args.name, deleted: true };
}

export async function resetWorkspace(ws: WorkspaceManager, input: ResetWorkspaceInput): Promise<Workspace> {
  const args = await validateAs("ResetWorkspaceInputSchema", input);
  const id = await ws.resolve(args.workspaceId);
  return workspaceRecord(await (await snapshots()).resetWorkspace(ws, id, args.snapshot));
}
