/**
 * Workspaces: persistent microVMs with a `/workspace` an agent works in over many calls,
 * from any number of processes. Each mutation takes the workspace lock and writes its record
 * atomically; reads take no lock. This module owns lifecycle and records; views
 * (workspace-view.ts), exec (workspace-exec.ts), file transfer, diff and patch live beside it.
 */
import { mkdir, rm } from "node:fs/promises";
import { PyroError } from "../../errors.js";
import { requireAgentBinary } from "../boot-initrd.js";
import type { PyroConfig } from "../config.js";
import { requireInstalled } from "../environments/registry.js";
import { withLock } from "../lock.js";
import { liveMachineState, prepareMachineDirs, removeStaleRunFiles, stopMachine } from "../machine.js";
import { packagePaths, type WorkspacePaths, workspacePaths } from "../paths.js";
import type { MachineStartOptions } from "../templates/start.js";
import { bootFreshWorkspace, bootWorkspace } from "./boot.js";
import { checkDiskSize } from "./disk-size.js";
import { withNamesClaimed, workspacesNamed } from "./names.js";
import { discardPausedMachine, replayJournal } from "./pause.js";
import {
  isWorkspaceId,
  listWorkspaceIds,
  newWorkspaceId,
  readWorkspaceHead,
  readWorkspaceRecord,
  WORKSPACE_LAYOUT_VERSION,
  type WorkspaceHead,
  type WorkspaceRecord,
  writeWorkspaceHead,
  writeWorkspaceRecord,
} from "./record.js";
import { loadSecrets, Redactor, type Secret, storeSecrets } from "./secrets.js";
import {
  readRecordOrStub,
  requireRunning,
  requireStopped,
  viewWorkspace,
  type WorkspaceView,
} from "./workspace-view.js";

/** The network modules, loaded only for a workspace with a NIC: ~20 files no other operation needs. */
const loadNetwork = () => import("../network/index.js");

export interface CreateWorkspaceOptions {
  environment: string;
  vcpuCount: number;
  memMib: number;
  ttlSeconds: number;
  /** What the idle TTL does; default `pause`. */
  ttlAction?: "pause" | "delete";
  /** Whether exec, shell and service calls resume a paused workspace; default true. */
  autoResume?: boolean;
  networkPolicy: "off" | "egress" | "egress+published-ports";
  /** `git`: a project-path or repo-url seed; `path` is the repository root or `URL[#REF]`. */
  seed: { mode: "directory" | "tar_archive" | "git"; path: string } | undefined;
  name?: string | undefined;
  labels: Record<string, string>;
  /** Resolved secrets (values), stored host-side 0600 before the VM boots. */
  secrets: Secret[];
  /** pids.max of each exec, shell and service cgroup in the guest; default: the agent's. */
  maxPids?: number | undefined;
  /** Size of the workspace disk in MiB (sparse), at least the environment image's size. */
  diskMib: number;
  /** VM template use (restore or `cold`) and its reports. */
  start?: MachineStartOptions;
}

export type { WorkspaceView };

export class WorkspaceManager {
  constructor(readonly config: PyroConfig) {}

  paths(id: string): WorkspacePaths {
    return workspacePaths(this.config.stateDir, id);
  }

  /** Runs `fn` holding the workspace's lock (every mutation does). */
  lock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.paths(id).dir, fn, { waitMs: 300_000 });
  }

  /** Resolves an id or a unique name. @throws PyroError workspace_not_found */
  async resolve(ref: string): Promise<string> {
    if (isWorkspaceId(ref)) return ref;
    const hits = await workspacesNamed(this.config.stateDir, ref);
    if (hits.length === 1) return hits[0] as string;
    if (hits.length > 1) {
      throw new PyroError("invalid_argument", `name "${ref}" matches ${hits.length} workspaces: use an id`, {
        details: { workspace_ids: hits },
      });
    }
    throw new PyroError("workspace_not_found", `no workspace "${ref}"`, {
      hint: "see `pyro workspace list`",
    });
  }

  /** Record plus live facts; never throws for a damaged-but-present workspace. */
  view(id: string): Promise<WorkspaceView> {
    return viewWorkspace(this.config.stateDir, id);
  }

  async list(): Promise<WorkspaceView[]> {
    const out: WorkspaceView[] = [];
    for (const id of await listWorkspaceIds(this.config.stateDir)) {
      const v = await this.view(id).catch(() => undefined);
      if (v) out.push(v);
    }
    return out;
  }

  /**
   * Creates and boots a workspace; `seed` (if any) is imported by the caller-supplied
   * function while the lock is still held, then the baseline is captured. A create that
   * fails is rolled back (VM killed, directory removed); one killed mid-way shows `failed`.
   * @throws PyroError environment_not_installed, name_taken (nothing written), boot_failed,
   *   path_outside_workspace (seed)
   */
  async create(
    options: CreateWorkspaceOptions,
    seed: (id: string) => Promise<void>,
    captureBaseline: (id: string) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<WorkspaceView> {
    const checkAbort = () => {
      if (signal?.aborted) throw new PyroError("interrupted", "create interrupted; nothing was kept");
    };
    checkAbort();
    const boot = await requireInstalled(this.config.cacheDir, options.environment);
    requireAgentBinary(this.config.agentPath ?? packagePaths.agentBinary);
    checkDiskSize(boot.rootfsPath, options.diskMib); // before anything is written
    const id = newWorkspaceId();
    const paths = this.paths(id);
    // Lock first (it lives beside the directory), then directory and record at once: a create
    // killed at any point leaves either nothing or a record-less directory that lists as failed.
    // Its name is claimed (names.ts) from the check until the record carrying it is written.
    return this.lock(id, async () => {
      const now = new Date().toISOString();
      const record: WorkspaceRecord = {
        layout_version: WORKSPACE_LAYOUT_VERSION,
        workspace_id: id,
        name: options.name ?? null,
        labels: options.labels,
        environment: options.environment,
        state: "creating",
        vcpu_count: options.vcpuCount,
        mem_mib: options.memMib,
        ttl_seconds: options.ttlSeconds,
        ttl_action: options.ttlAction ?? "pause",
        auto_resume: options.autoResume ?? true,
        paused: null,
        network_policy: options.networkPolicy,
        execution_mode: "guest_virtio_serial",
        acceleration: null,
        kernel_path: boot.kernelPath,
        created_at: now,
        last_activity_at: now,
        workspace_seed: {
          mode: options.seed?.mode ?? "empty",
          seed_path: options.seed?.path ?? null,
        },
        forked_from: null,
        secrets: options.secrets.map((x) => ({ name: x.name, source_kind: x.source_kind })),
        network: null,
        max_pids: options.maxPids ?? null,
        disk_mib: options.diskMib,
        command_count: 0,
        snapshots: [],
        create_pid: process.pid,
        error: null,
      };
      await withNamesClaimed(this.config.stateDir, [record.name], async () => {
        await mkdir(paths.dir, { recursive: true, mode: 0o700 });
        await prepareMachineDirs(paths);
        await writeWorkspaceRecord(this.config.stateDir, record);
      });
      // Ctrl-C: kill the VM at once (a boot in progress then fails), and roll back below.
      const onAbort = () => void stopMachine(paths, "kill");
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        if (options.secrets.length > 0) await storeSecrets(paths.secretsDir, options.secrets);
        checkAbort();
        record.acceleration = await this.bootFreshDisk(record, options.start);
        checkAbort();
        await seed(id);
        checkAbort();
        await captureBaseline(id);
        checkAbort();
        record.state = "started";
        record.create_pid = null;
      } catch (err) {
        // Roll back: a create that fails leaves nothing behind (its error says why).
        await stopMachine(paths, "kill");
        await this.releaseNetwork(record);
        await rm(paths.dir, { recursive: true, force: true });
        if (signal?.aborted)
          throw new PyroError("interrupted", `create interrupted; workspace "${id}" removed`);
        throw err;
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
      await writeWorkspaceRecord(this.config.stateDir, record);
      return this.view(id);
    });
  }

  /**
   * Gives the workspace a fresh disk and boots it (boot.ts): restored from a VM template when
   * one is usable, else cold. Used by create and reset; the caller holds the lock and the VM
   * is not running.
   */
  bootFreshDisk(record: WorkspaceRecord, start: MachineStartOptions = {}): Promise<"kvm" | "tcg"> {
    return bootFreshWorkspace(this.config, this.paths(record.workspace_id), record, start);
  }

  /** Removes the workspace's TAP, firewall table and lease (idempotent; works after a crash). */
  async releaseNetwork(record: Pick<WorkspaceRecord, "workspace_id" | "network_policy">): Promise<void> {
    if (record.network_policy !== "off")
      await (await loadNetwork()).teardownWorkspaceNetwork(record.workspace_id);
  }

  /** Redacts the workspace's secret values from texts and errors (a no-op without secrets). */
  async redactor(id: string): Promise<Redactor> {
    return new Redactor(await loadSecrets(this.paths(id).secretsDir));
  }

  /** Changes a record under the lock; `touch` moves last_activity_at (mutations do, reads don't). */
  async mutateRecord(
    id: string,
    fn: (r: WorkspaceRecord) => void | Promise<void>,
    touch = true,
  ): Promise<WorkspaceRecord> {
    return this.lock(id, async () => {
      const record = await readWorkspaceRecord(this.config.stateDir, id);
      await fn(record);
      if (touch) record.last_activity_at = new Date().toISOString();
      await writeWorkspaceRecord(this.config.stateDir, record);
      return record;
    });
  }

  /**
   * {@link mutateRecord} for the exec hot path: only the record's head fields (record-check.ts)
   * are read, changed and written back, the rest as it was, all without zod. Always touches.
   */
  async mutateHead(id: string, fn: (head: WorkspaceHead) => void | Promise<void>): Promise<void> {
    await this.lock(id, async () => {
      const { head, raw } = await readWorkspaceHead(this.config.stateDir, id);
      await fn(head);
      head.last_activity_at = new Date().toISOString();
      await writeWorkspaceHead(this.config.stateDir, raw, head);
    });
  }

  /** {@link mutateRecord}, answering with the fresh view. */
  async mutate(
    id: string,
    fn: (r: WorkspaceRecord) => void | Promise<void>,
    touch = true,
  ): Promise<WorkspaceView> {
    await this.mutateRecord(id, fn, touch);
    return this.view(id);
  }

  /**
   * The view of a running workspace; a paused one (or one its TTL stopped) is resumed first
   * unless it was created with `--no-auto-resume`.
   * @throws PyroError workspace_not_running unless the VM answers, workspace_paused
   */
  async requireRunning(id: string): Promise<WorkspaceView> {
    const view = await this.view(id);
    if (view.state === "started") return view;
    const { resumeForCall } = await import("./pause-resume.js");
    await resumeForCall(this, view);
    return requireRunning(this.config.stateDir, id);
  }

  /**
   * Stops the VM cleanly: the agent ends every process, syncs and remounts / read-only before
   * the VM powers off, so the image is a clean ext4 file system. A paused workspace drops its
   * saved machine (its disk stays). A stopped workspace is a no-op.
   * @returns whether it changed: its VM was running, or it was paused
   */
  async stop(id: string): Promise<{ view: WorkspaceView; changed: boolean }> {
    let changed = false;
    const view = await this.mutate(id, async (record) => {
      const paths = this.paths(id);
      const wasRunning = (await liveMachineState(paths))?.state === "ready";
      changed = wasRunning || record.state === "paused";
      if (wasRunning) await stopMachine(paths, "poweroff", 15_000);
      else await stopMachine(paths, "kill"); // a crashed supervisor's leftovers, if any
      await this.releaseNetwork(record);
      record.network = null;
      // A paused workspace stops too: its saved machine goes, its disk stays. That disk was
      // synced but never unmounted: its journal may hold the last writes, which the disk tools
      // (debugfs) do not replay. The kernel would at the next boot; e2fsck does it now.
      if (record.state === "paused") {
        await discardPausedMachine(paths);
        await replayJournal(paths.rootfs);
      }
      if (record.state === "started" || record.state === "paused") record.state = "stopped";
      record.paused = null;
    });
    return { view, changed };
  }

  /**
   * Boots a stopped workspace from its own disk, untouched. Stale sockets and pid files of a
   * crashed run are removed first. A running workspace is a no-op.
   * @throws PyroError boot_failed, workspace_not_stopped (failed or still creating)
   */
  async start(id: string): Promise<{ view: WorkspaceView; wasStopped: boolean }> {
    let wasStopped = false;
    const view = await this.mutate(id, async (record) => {
      const paths = this.paths(id);
      if ((await liveMachineState(paths))?.state === "ready") return;
      if (record.state !== "started" && record.state !== "stopped" && record.state !== "paused") {
        throw new PyroError(
          "workspace_not_stopped",
          `workspace "${id}" is ${record.state} and cannot be started`,
          {
            hint: `delete it: pyro workspace delete ${id}`,
          },
        );
      }
      wasStopped = true;
      await stopMachine(paths, "kill");
      // A paused workspace boots its disk: the saved machine (and its processes) is dropped.
      await discardPausedMachine(paths);
      record.paused = null;
      await removeStaleRunFiles(paths);
      const boot = await requireInstalled(this.config.cacheDir, record.environment);
      const booted = await bootWorkspace(this.config, paths, record, boot);
      record.acceleration = booted.acceleration;
      record.kernel_path = boot.kernelPath;
      record.state = "started";
    });
    return { view, wasStopped };
  }

  /** @throws PyroError workspace_not_stopped while its VM runs */
  requireStopped(id: string): Promise<WorkspaceView> {
    return requireStopped(this.config.stateDir, id);
  }

  /** Kills the VM and removes every file of the workspace. Works on failed and half-created ones. */
  async delete(id: string): Promise<{ deleted: boolean; workspace_id: string }> {
    const record = await readRecordOrStub(this.config.stateDir, id).catch((err: PyroError) => {
      if (err.code !== "state_corrupt") throw err;
      return undefined;
    });
    const paths = this.paths(id);
    // A crashed create may have left its lock behind: it goes stale, so waiting is bounded.
    await this.lock(id, async () => {
      await stopMachine(paths, "kill");
      // An unreadable record may still have left a TAP: teardown is idempotent, so try it.
      await this.releaseNetwork(record ?? { workspace_id: id, network_policy: "egress" });
      await rm(paths.dir, { recursive: true, force: true });
    });
    await rm(`${paths.dir}.lock`, { recursive: true, force: true });
    return { deleted: true, workspace_id: id };
  }

  /**
   * Workspaces idle past their TTL: paused (stopped where the save fails), or deleted when
   * created with `--ttl-action delete`. Only running workspaces expire (expires_at).
   * @returns the ids paused, stopped or deleted
   */
  async reapExpired(now = Date.now()): Promise<string[]> {
    const reaped: string[] = [];
    for (const w of await this.list()) {
      if (!w.expires_at || Date.parse(w.expires_at) > now) continue;
      // Never reap under a command still running (its exec will move the activity mark).
      if (((await liveMachineState(this.paths(w.workspace_id)))?.in_flight ?? 0) > 0) continue;
      if (w.ttl_action === "delete") {
        // Read again just before: a call since the list may have moved its activity mark.
        const fresh = await this.view(w.workspace_id).catch(() => undefined);
        if (!fresh?.expires_at || Date.parse(fresh.expires_at) > Date.now()) continue;
        await this.delete(w.workspace_id);
      } else {
        const { pauseWorkspaceVm } = await import("./pause-resume.js");
        // Another process may have paused, stopped or resumed it meanwhile: not an error.
        const paused = await pauseWorkspaceVm(this, w.workspace_id, "ttl").catch(() => undefined);
        if (!paused?.changed) continue;
      }
      reaped.push(w.workspace_id);
    }
    return reaped;
  }
}
