/**
 * Pausing a workspace: its whole machine (RAM, devices, every process, shell and service) is
 * saved into `pause/` under its state directory and its VM ends; resuming starts the same
 * machine from that state (verified, bounded in time), gives the guest the host's clock again
 * (the supervisor's POST /v1/identity) and reopens its published ports.
 *
 * The saved state carries the RAM (a QMP migration stream). A workspace restored from a VM
 * template maps the template's memory file copy-on-write; x-ignore-shared leaves only shared
 * memory out, so its RAM goes into the state too, and the template may change or go while it
 * is paused. The machine must be the same on resume, so a VM that ran with a memory file
 * resumes with anonymous RAM under the same backend name (vm.memoryAnonymous); a private map
 * of a fresh sparse file would work too but fills the page cache with its holes and loads
 * 4x slower. docs/workspace-lifecycle.md gives the measured sizes and times.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { PyroError } from "../../errors.js";
import type { SupervisorConfig } from "../../supervisor/protocol.js";
import type { PyroConfig } from "../config.js";
import { requireInstalled } from "../environments/registry.js";
import { writeJsonAtomic } from "../fs-atomic.js";
import {
  bootMachine,
  liveMachineState,
  machineClient,
  removeStaleRunFiles,
  stopMachine,
} from "../machine.js";
import type { WorkspacePaths } from "../paths.js";
import { runProgram } from "../process-run.js";
import { workspaceMachineSpec } from "./boot.js";
import { countServices, GuestServices } from "./guest-services.js";
import { listPublished, type PublishedPort, publishPorts } from "./published-ports.js";
import type { WorkspaceRecord } from "./record.js";

/**
 * Bound of a resume, supervisor spawn to an agent that answers and took its identity, in ms.
 * The RAM comes from the state file (100-300 MiB for a busy debian:12 guest), so it is longer
 * than a template restore's.
 */
export const RESUME_TIMEOUT_MS = 30_000;

/** Codes of a boot that mean the saved state did not come up (boot_failed); others pass through. */
const RESUME_FAILURES: readonly string[] = [
  "boot_failed",
  "restore_failed",
  "timeout",
  "internal",
  "vm_not_running",
];

/** What `pause/manifest.json` records beside the saved state (a fork's too, fork.ts). */
export interface PauseManifest {
  saved_at: string;
  save_ms: number;
  state_bytes: number;
  /**
   * The VM ran with its RAM in a named backend (a file, or anonymous after a resume): it
   * resumes with one too (the machine, and the stream's format, must match).
   */
  memory_file: boolean;
  /**
   * The RAM is an image beside the state (`pause/memory`) and the state holds devices only:
   * a fork's (fork-memory.ts); it resumes mapping the image copy-on-write. Absent = false.
   */
  memory_image?: boolean;
  accel: "kvm" | "tcg";
  /** Published ports open at pause time, reopened on resume. */
  published_ports: PublishedPort[];
  /** Services at pause time, [all, running]: what status and list show while it is paused. */
  service_counts?: [number, number];
}

/** The files of a workspace's saved machine. */
function pauseFiles(paths: WorkspacePaths) {
  return {
    dir: paths.pauseDir,
    state: paths.pauseState,
    memory: paths.pauseMemory,
    manifest: paths.pauseManifest,
  };
}

/** Whether a saved machine is there to resume. */
export function hasPausedMachine(paths: WorkspacePaths): boolean {
  const f = pauseFiles(paths);
  return existsSync(f.state) && existsSync(f.manifest);
}

/** Removes a saved machine (a stop, start or reset of a paused workspace discards it). Idempotent. */
export async function discardPausedMachine(paths: WorkspacePaths): Promise<void> {
  await rm(pauseFiles(paths).dir, { recursive: true, force: true });
}

/**
 * Saves the running VM of `paths` into `pause/` and ends it (its published ports close with
 * its supervisor). The caller holds the workspace lock and sets the record's state.
 * @throws PyroError workspace_not_running (its VM is not ready), save_failed and the
 *   supervisor's errors (the VM may then be gone: the caller stops it cleanly instead)
 */
export async function saveMachine(paths: WorkspacePaths, id: string): Promise<PauseManifest> {
  const live = await liveMachineState(paths);
  if (live?.state !== "ready")
    throw new PyroError("workspace_not_running", `workspace "${id}" is not running`, {
      details: { workspace_id: id },
    });
  const ports = await listPublished(machineClient(paths));
  const services = await new GuestServices(machineClient(paths)).list(3_000).catch(() => []);
  const f = pauseFiles(paths);
  await discardPausedMachine(paths);
  await mkdir(f.dir, { recursive: true, mode: 0o700 });
  // Written down first: should a resume ever fail, `workspace start` boots a disk that has it all.
  await machineClient(paths).json("POST", "/v1/agent/sync");
  const began = Date.now();
  await machineClient(paths).save(`${f.state}.tmp`);
  const saveMs = Date.now() - began;
  await stopMachine(paths, "kill"); // its supervisor ends right after the save; reap it
  await rename(`${f.state}.tmp`, f.state);
  const manifest = await savedManifest(paths, f.state, saveMs, ports, services);
  await writeJsonAtomic(f.manifest, manifest); // last: a pause without it never happened
  return manifest;
}

/**
 * The manifest of a state at `statePath` just saved from the VM of `paths` (before that VM's
 * launch config changes): how its RAM was backed and its accelerator, which the machine that
 * loads the state must repeat, the published ports to open again and its services (listed
 * before the save) to count while it is paused.
 */
export async function savedManifest(
  paths: WorkspacePaths,
  statePath: string,
  saveMs: number,
  ports: PublishedPort[],
  services: readonly { state: string }[],
): Promise<PauseManifest> {
  const launched = readJsonFile<SupervisorConfig>(paths.supervisorConfig);
  return {
    saved_at: new Date().toISOString(),
    save_ms: saveMs,
    state_bytes: (await stat(statePath)).size,
    memory_file: Boolean(launched?.vm.memoryPath || launched?.vm.memoryAnonymous),
    accel: launched?.vm.accel ?? "tcg",
    published_ports: ports,
    service_counts: countServices(services),
  };
}

/** The manifest of a paused workspace's saved machine, or undefined when there is none. */
export function readPauseManifest(paths: WorkspacePaths): PauseManifest | undefined {
  return hasPausedMachine(paths) ? readJsonFile<PauseManifest>(pauseFiles(paths).manifest) : undefined;
}

/**
 * Starts the saved machine again: the same machine (kernel, vCPUs, memory, disk, NIC) loads
 * the saved state; the supervisor verifies the agent answers and sends it its identity (wall
 * clock first) within {@link RESUME_TIMEOUT_MS}; then the published ports reopen (on their old
 * host ports when free, else on new ones). The saved state is removed once the guest runs.
 * @throws PyroError boot_failed (the state could not be loaded or verified: the hint says
 *   `workspace start` boots the disk cold), port_in_use never (a taken port gets a new one)
 */
export async function resumeMachine(
  config: PyroConfig,
  paths: WorkspacePaths,
  record: WorkspaceRecord,
  network: Parameters<typeof bootMachine>[2]["network"],
): Promise<PublishedPort[]> {
  const f = pauseFiles(paths);
  const manifest = readJsonFile<PauseManifest>(f.manifest);
  if (!manifest || !existsSync(f.state) || (manifest.memory_image && !existsSync(f.memory)))
    throw new PyroError(
      "state_corrupt",
      `workspace "${record.workspace_id}" has no saved machine to resume`,
      {
        hint: `pyro workspace start ${record.workspace_id} boots its disk (processes are lost)`,
      },
    );
  const kernel = await requireInstalled(config.cacheDir, record.environment);
  await removeStaleRunFiles(paths);
  try {
    await bootMachine(config, paths, {
      ...workspaceMachineSpec(paths, record, kernel, network),
      accel: { accel: manifest.accel, reason: "as when it was paused", cached: true },
      snapshot: {
        ...(manifest.memory_image
          ? { memoryPath: f.memory } // a fork's: its RAM image, mapped copy-on-write
          : manifest.memory_file
            ? { memoryAnonymous: true }
            : {}),
        restoreStatePath: f.state,
        restoreTimeoutMs: RESUME_TIMEOUT_MS,
      },
    });
  } catch (err) {
    await stopMachine(paths, "kill");
    // Not the saved state's fault (no VM slot, a host tool missing): `start` would fail alike.
    if (err instanceof PyroError && !RESUME_FAILURES.includes(err.code)) throw err;
    const why = ((err as PyroError).cause as Error | undefined)?.message ?? (err as Error).message;
    throw new PyroError("boot_failed", `workspace "${record.workspace_id}" could not be resumed: ${why}`, {
      cause: err,
      details: { workspace_id: record.workspace_id },
      hint: `its saved state is kept; pyro workspace start ${record.workspace_id} boots its disk instead (processes are lost)`,
    });
  }
  const reopened: PublishedPort[] = [];
  const client = machineClient(paths);
  try {
    for (const p of manifest.published_ports) {
      const spec = { hostPort: p.host_port, guestPort: p.guest_port };
      const again = await publishPorts(client, p.service, [spec]).catch(() =>
        publishPorts(client, p.service, [{ ...spec, hostPort: 0 }]),
      );
      reopened.push(...again);
    }
  } catch (err) {
    await stopMachine(paths, "kill"); // never a VM running under a record that says paused
    throw err;
  }
  await discardPausedMachine(paths);
  return reopened;
}

/**
 * Replays the ext4 journal of a disk that was synced but never unmounted (a paused workspace
 * that is stopped), so that debugfs, which does not replay it, reads every write. e2fsck's
 * exit 1 (something fixed) is fine; any other failure is reported.
 * @throws PyroError state_corrupt (e2fsck failed), host_dependency_missing (no e2fsck)
 */
export async function replayJournal(image: string): Promise<void> {
  await runProgram(["e2fsck", "-E", "journal_only", "-p", image], {
    okExitCodes: [1],
    errorCode: "state_corrupt",
  });
}

/** Service counts of a paused workspace as they were at pause time, [all, running]; [0, 0] unknown. */
export function pausedServiceCounts(paths: WorkspacePaths): [number, number] {
  return readJsonFile<PauseManifest>(pauseFiles(paths).manifest)?.service_counts ?? [0, 0];
}

/** A JSON file as written by pyro, or undefined when it is missing or unreadable. */
function readJsonFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}
