/**
 * Forking a workspace (`workspace fork WS --count K`): K new workspaces, each the parent's
 * machine as it was at one instant, then made its own.
 *
 * The parent's VM is checkpointed once, under its lock: the agent syncs the disk, the
 * supervisor stops the vCPUs, saves RAM and devices into the first fork's `pause/state`,
 * copies the disk to every fork (`cp --reflink=auto --sparse=always`) while they are still
 * stopped, so each copy matches the saved memory, and runs them again: the parent's processes
 * see a pause of a second or two, its ports stay open (POST /v1/save with keep_running). A
 * paused parent stays paused: its saved state and disk are already consistent.
 *
 * Each fork is then a paused workspace with a saved machine of its own that is resumed as
 * pause.ts resumes one: its RAM a private (copy-on-write) map of one RAM image that all forks
 * of the call share, split from the saved state (fork-memory.ts), its devices state a hard
 * link of one file (a restore only reads them), under its own id: its own NIC (TAP, MAC and
 * /30), and the supervisor's POST /v1/identity gives it its own host name, machine id, clock
 * and a reseeded RNG. The parent's published ports reopen on new host ports. Services and
 * shells live in guest RAM and carry over; the host-side files that go with them are copied:
 * secrets (redaction, --secret-env), the diff baseline (a fork's diff is against its parent's
 * baseline), named snapshots and the command history.
 *
 * Every fork is made under its own lock in state `creating` (a killed fork lists as failed);
 * a fork that fails removes every fork made so far, VMs and NICs included, and the parent
 * keeps running.
 */
import { existsSync } from "node:fs";
import { link, mkdir, rename, rm } from "node:fs/promises";
import { PyroError } from "../../errors.js";
import type { PyroConfig } from "../config.js";
import { writeJsonAtomic } from "../fs-atomic.js";
import { liveMachineState, machineClient, prepareMachineDirs, stopMachine } from "../machine.js";
import type { WorkspacePaths } from "../paths.js";
import { runProgram } from "../process-run.js";
import { attachWorkspaceNetwork } from "./boot.js";
import { type ForkMemory, splitForkMemory } from "./fork-memory.js";
import { GuestServices } from "./guest-services.js";
import { withNamesClaimed } from "./names.js";
import { type PauseManifest, readPauseManifest, resumeMachine, savedManifest } from "./pause.js";
import { listPublished } from "./published-ports.js";
import { newWorkspaceId, readWorkspaceRecord, type WorkspaceRecord, writeWorkspaceRecord } from "./record.js";

/** What fork uses of the WorkspaceManager (named structurally: manager.ts does not import this). */
export interface ForkManager {
  readonly config: PyroConfig;
  paths(id: string): WorkspacePaths;
  lock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  releaseNetwork(record: Pick<WorkspaceRecord, "workspace_id" | "network_policy">): Promise<void>;
}

/**
 * Progress of a fork, for phase lines: the parent's checkpoint, how the forks' memory is
 * shared, then each fork started.
 */
export type ForkPhase = (
  phase: "checkpoint" | "memory" | "fork",
  fields: Record<string, string | number | boolean>,
) => void;

/** Bound of a checkpoint: the save plus K disk copies (reflinks, or sparse copies), in ms. */
const CHECKPOINT_TIMEOUT_MS = 120_000;

/**
 * Forks the running (or paused) workspace `parentId` into `count` new running workspaces.
 * @returns the forks' ids, in order
 * @throws PyroError name_taken (a fork's name is another workspace's; claimed for the whole fork),
 *   workspace_not_running (the parent is stopped, failed or creating),
 *   save_failed (the checkpoint or a disk copy failed: the parent runs on), boot_failed (a
 *   fork did not come up), network_unavailable, timeout (the parent's lock), interrupted
 *   (`options.signal` aborted); in every case no fork is kept
 */
export async function forkWorkspaceVm(
  ws: ForkManager,
  parentId: string,
  options: { name?: string | undefined; count: number; signal?: AbortSignal | undefined },
  onPhase: ForkPhase = () => undefined,
): Promise<string[]> {
  const ids = Array.from({ length: options.count }, () => newWorkspaceId());
  const signal = options.signal;
  const checkAbort = () => {
    if (signal?.aborted) throw new PyroError("interrupted", "fork interrupted; no fork was kept");
  };
  // Ctrl-C: a fork starting fails at once (its VM killed); the parent's checkpoint completes
  // (its supervisor runs the parent again whatever happens), then everything is rolled back.
  const onAbort = () => {
    for (const id of ids) void stopMachine(ws.paths(id), "kill");
  };
  checkAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const names = ids.map((_, i) => forkName(options.name, i, options.count));
    return await withNamesClaimed(ws.config.stateDir, names, () =>
      forkUnderLocks(ws, parentId, ids, options, onPhase, checkAbort),
    );
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** {@link forkWorkspaceVm} once its ids are chosen: every fork made, or none. */
function forkUnderLocks(
  ws: ForkManager,
  parentId: string,
  ids: string[],
  options: { name?: string | undefined; count: number; signal?: AbortSignal | undefined },
  onPhase: ForkPhase,
  checkAbort: () => void,
): Promise<string[]> {
  return withLocks(ws, ids, async () => {
    const records: WorkspaceRecord[] = [];
    try {
      await ws.lock(parentId, async () => {
        const parent = await readWorkspaceRecord(ws.config.stateDir, parentId);
        const running = await requireForkable(ws, parent);
        for (const [i, id] of ids.entries()) {
          records.push(await createForkDir(ws, parent, id, forkName(options.name, i, options.count)));
        }
        const manifest = running
          ? await checkpoint(
              ws.paths(parentId),
              ids.map((id) => ws.paths(id)),
              ws.config.forkSharedMemory,
              onPhase,
            )
          : await copyPausedMachine(
              ws.paths(parentId),
              ids.map((id) => ws.paths(id)),
              ws.config.forkSharedMemory,
              onPhase,
            );
        for (const id of ids) await copyHostFiles(ws.paths(parentId), ws.paths(id), manifest);
      });
      for (const record of records) {
        checkAbort();
        await startFork(ws, record, onPhase);
      }
      checkAbort();
    } catch (err) {
      // No half-made fork stays: its VM, NIC and files go; the parent is untouched.
      for (const id of ids) {
        await stopMachine(ws.paths(id), "kill").catch(() => undefined);
        const record = records.find((r) => r.workspace_id === id);
        if (record) await ws.releaseNetwork(record).catch(() => undefined);
        await rm(ws.paths(id).dir, { recursive: true, force: true });
      }
      checkAbort(); // an interrupted fork says so, whatever failed on the way
      throw err;
    }
    return ids;
  });
}

/** The name of fork `i` of `count`: NAME alone, or NAME-1 ... NAME-K; null without a name. */
export function forkName(name: string | undefined, i: number, count: number): string | null {
  if (!name) return null;
  return count === 1 ? name : `${name}-${i + 1}`;
}

/** Runs `fn` holding the locks of every id (fresh ids: nobody else waits on them). */
function withLocks<T>(ws: ForkManager, ids: string[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = ids;
  return first === undefined ? fn() : ws.lock(first, () => withLocks(ws, rest, fn));
}

/**
 * Whether the parent runs (true) or is paused with a saved machine (false).
 * @throws PyroError workspace_not_running otherwise
 */
async function requireForkable(ws: ForkManager, parent: WorkspaceRecord): Promise<boolean> {
  const paths = ws.paths(parent.workspace_id);
  if (parent.state === "started" && (await liveMachineState(paths))?.state === "ready") return true;
  if (parent.state === "paused" && readPauseManifest(paths)) return false;
  throw new PyroError(
    "workspace_not_running",
    `workspace "${parent.workspace_id}" is ${parent.state}; only a running or paused workspace forks`,
    {
      details: { workspace_id: parent.workspace_id, state: parent.state },
      hint: parent.state === "stopped" ? `pyro workspace start ${parent.workspace_id}` : undefined,
    },
  );
}

/** The fork's directory and its record (state `creating`, `forked_from` the parent). */
async function createForkDir(
  ws: ForkManager,
  parent: WorkspaceRecord,
  id: string,
  name: string | null,
): Promise<WorkspaceRecord> {
  const paths = ws.paths(id);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await prepareMachineDirs(paths);
  await mkdir(paths.pauseDir, { mode: 0o700 });
  const now = new Date().toISOString();
  const record: WorkspaceRecord = {
    ...parent,
    workspace_id: id,
    name,
    state: "creating",
    paused: null,
    network: null,
    forked_from: parent.workspace_id,
    created_at: now,
    last_activity_at: now,
    create_pid: process.pid,
    error: null,
  };
  await writeWorkspaceRecord(ws.config.stateDir, record);
  return record;
}

/**
 * Checkpoints the running parent: its agent syncs, then its state goes to the first fork's
 * `pause/` and its disk to every fork's, all while its vCPUs are stopped; then it runs on.
 * The state is then split into the forks' shared RAM image and devices state (fork-memory.ts).
 * @returns the manifest of the saved state (its published ports, to reopen in each fork)
 * @throws PyroError save_failed (copies removed, the parent runs on), vm_not_running
 */
async function checkpoint(
  parent: WorkspacePaths,
  forks: WorkspacePaths[],
  shared: boolean,
  onPhase: ForkPhase,
): Promise<PauseManifest> {
  const client = machineClient(parent);
  // Not needed for consistency (RAM and disk are saved at one instant), but the forks start
  // with fewer dirty pages to write back.
  await client.json("POST", "/v1/agent/sync");
  const ports = await listPublished(client);
  const services = await new GuestServices(client).list(3_000).catch(() => []);
  const [first] = forks as [WorkspacePaths, ...WorkspacePaths[]];
  const saved = `${first.pauseState}.checkpoint.tmp`;
  const began = Date.now();
  await client.checkpoint(
    saved,
    forks.map((f) => `${f.rootfs}.tmp`),
    CHECKPOINT_TIMEOUT_MS,
  );
  const saveMs = Date.now() - began;
  for (const f of forks) await rename(`${f.rootfs}.tmp`, f.rootfs);
  const manifest = await savedManifest(parent, saved, saveMs, ports, services);
  const memory = await shareMachine(saved, forks, { owned: true, shared });
  onPhase("checkpoint", { state_bytes: manifest.state_bytes, save_ms: saveMs, forks: forks.length });
  onPhase("memory", memoryFields(memory));
  return { ...manifest, memory_image: memory.shared };
}

/** A paused parent's saved machine and disk, for every fork; the parent stays paused. */
async function copyPausedMachine(
  parent: WorkspacePaths,
  forks: WorkspacePaths[],
  shared: boolean,
  onPhase: ForkPhase,
): Promise<PauseManifest> {
  // A paused workspace's state always holds its RAM: only a fork's has an image beside it, and
  // a fork is paused only by a pause of its own once it runs, which saves the whole RAM again.
  const manifest = readPauseManifest(parent) as PauseManifest;
  const memory = await shareMachine(parent.pauseState, forks, { owned: false, shared });
  for (const f of forks) await copyFile(parent.rootfs, f.rootfs);
  onPhase("memory", memoryFields(memory));
  return { ...manifest, memory_image: memory.shared };
}

/**
 * The saved state at `saved` (RAM and devices) for every fork: split into a shared RAM image
 * and devices state, else the whole state in each. `owned`: `saved` is the checkpoint's own
 * file, consumed here (the first fork's state, or removed once split).
 */
async function shareMachine(
  saved: string,
  forks: WorkspacePaths[],
  { owned, shared }: { owned: boolean; shared: boolean },
): Promise<ForkMemory> {
  const memory = await splitForkMemory(saved, forks, shared).catch(async (err: unknown) => {
    if (owned) await rm(saved, { force: true });
    throw err;
  });
  if (memory.shared) {
    if (owned) await rm(saved, { force: true });
    return memory;
  }
  const [first] = forks as [WorkspacePaths, ...WorkspacePaths[]];
  if (owned) await rename(saved, first.pauseState);
  await shareState(owned ? first.pauseState : saved, forks);
  return memory;
}

/** The `memory` phase line's fields. */
function memoryFields(m: ForkMemory): Record<string, string | number | boolean> {
  return {
    shared: m.shared,
    image_mib: Math.round(m.image_bytes / 2 ** 20),
    split_ms: m.split_ms,
    ...(m.reason ? { reason: m.reason } : {}),
  };
}

/** The saved state at `state` in every fork's `pause/state`: a hard link, else a copy. */
async function shareState(state: string, forks: WorkspacePaths[]): Promise<void> {
  for (const f of forks) {
    if (f.pauseState === state) continue;
    await link(state, f.pauseState).catch(() => copyFile(state, f.pauseState));
  }
}

/**
 * Copies a file or directory (reflink where possible, sparse, modes kept) via `${dst}.tmp`.
 * @throws PyroError save_failed (a full disk, say)
 */
async function copyFile(src: string, dst: string): Promise<void> {
  await runProgram(["cp", "-a", "--reflink=auto", "--sparse=always", src, `${dst}.tmp`], {
    errorCode: "save_failed",
  });
  await rename(`${dst}.tmp`, dst).catch((err: Error) => {
    throw new PyroError("save_failed", `fork: ${err.message}`, { cause: err });
  });
}

/**
 * The host-side files that go with the guest's state: secrets, the diff baseline, named
 * snapshots and the command history; then the fork's manifest (its published ports on new
 * host ports: the parent keeps its own).
 */
async function copyHostFiles(
  parent: WorkspacePaths,
  fork: WorkspacePaths,
  manifest: PauseManifest,
): Promise<void> {
  for (const [from, to] of [
    [parent.secretsDir, fork.secretsDir],
    [parent.baselineDir, fork.baselineDir],
    [parent.snapshotsDir, fork.snapshotsDir],
    [parent.history, fork.history],
  ] as const) {
    if (existsSync(from)) await copyFile(from, to);
  }
  await writeJsonAtomic(fork.pauseManifest, {
    ...manifest,
    published_ports: manifest.published_ports.map((p) => ({ ...p, host_port: 0 })),
  } satisfies PauseManifest);
}

/** Starts one fork from its saved machine, with its own NIC and identity; state `started`. */
async function startFork(ws: ForkManager, record: WorkspaceRecord, onPhase: ForkPhase): Promise<void> {
  const paths = ws.paths(record.workspace_id);
  const began = Date.now();
  try {
    const nic = await attachWorkspaceNetwork(paths, record);
    await resumeMachine(ws.config, paths, record, nic);
  } catch (err) {
    const e = err instanceof PyroError ? err : new PyroError("boot_failed", String(err));
    const why = ((e.cause as Error | undefined)?.message ?? e.message).replace(/\s+/g, " ");
    throw new PyroError(
      e.code,
      `fork "${record.workspace_id}" of "${record.forked_from}" could not be started: ${why}`,
      {
        cause: err,
        details: { workspace_id: record.forked_from, fork_id: record.workspace_id },
        hint: `no fork was kept; workspace "${record.forked_from}" runs on as it was`,
      },
    );
  }
  record.state = "started";
  record.create_pid = null;
  await writeWorkspaceRecord(ws.config.stateDir, record);
  onPhase("fork", { workspace_id: record.workspace_id, start_ms: Date.now() - began });
}
