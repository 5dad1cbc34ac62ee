/**
 * Pause and resume as workspace operations: the record's state (`paused`, with when and why),
 * its NIC, its lock; the machine itself is saved and started again by pause.ts. The idle TTL
 * pauses (manager.reapExpired), and exec, shell and service calls resume (manager.requireRunning).
 */
import { PyroError } from "../../errors.js";
import type { PyroConfig } from "../config.js";
import { requireInstalled } from "../environments/registry.js";
import { liveMachineState, stopMachine } from "../machine.js";
import type { WorkspacePaths } from "../paths.js";
import { attachWorkspaceNetwork } from "./boot.js";
import { discardPausedMachine, hasPausedMachine, resumeMachine, saveMachine } from "./pause.js";
import type { WorkspaceRecord } from "./record.js";
import { idleExpiry, type WorkspaceView } from "./workspace-view.js";

/**
 * What pause and resume use of the WorkspaceManager (manager.ts calls into this module, so it
 * is named structurally here rather than imported).
 */
export interface WorkspaceManager {
  readonly config: PyroConfig;
  paths(id: string): WorkspacePaths;
  mutate(
    id: string,
    fn: (r: WorkspaceRecord) => void | Promise<void>,
    touch?: boolean,
  ): Promise<WorkspaceView>;
  releaseNetwork(record: Pick<WorkspaceRecord, "workspace_id" | "network_policy">): Promise<void>;
  start(id: string): Promise<{ view: WorkspaceView; wasStopped: boolean }>;
}

/** Why a workspace was paused: asked for, or idle past its TTL. */
export type PauseReason = "requested" | "ttl";

/**
 * Pauses a running workspace: RAM, devices and every process saved under its state directory,
 * its VM ended, its NIC and published ports released, state `paused`. A paused workspace is a
 * no-op (`changed: false`), and so is a TTL pause of one that is no longer idle past its TTL
 * (checked again under the lock). A save that fails leaves the VM running: a requested pause
 * throws and changes nothing (if the VM did not survive, it is recorded as stopped first); a
 * TTL pause stops it cleanly instead (`paused.stopped: true`: files kept, processes lost).
 * @throws PyroError workspace_not_running (stopped, failed or creating), save_failed
 */
export async function pauseWorkspaceVm(
  ws: WorkspaceManager,
  id: string,
  reason: PauseReason,
): Promise<{ view: WorkspaceView; changed: boolean }> {
  let changed = false;
  let failure: unknown;
  // A requested pause that pauses moves the activity mark (below); a no-op leaves it, and so
  // does a TTL pause: it was not the user's doing.
  const view = await ws.mutate(
    id,
    async (record) => {
      if (record.state === "paused") return;
      const paths = ws.paths(id);
      // The reaper decided on a view read before the lock: a call since then may have moved
      // the activity mark, or be running now. Then it is not idle any more.
      if (reason === "ttl" && !(await stillIdlePastTtl(record, paths))) return;
      if (record.state !== "started" || (await liveMachineState(paths))?.state !== "ready") {
        throw new PyroError(
          "workspace_not_running",
          `workspace "${id}" is not running; only a running workspace pauses`,
          {
            details: { workspace_id: id, state: record.state },
          },
        );
      }
      const at = new Date().toISOString();
      try {
        await saveMachine(paths, id);
        record.state = "paused";
        record.paused = { at, reason, stopped: false };
      } catch (err) {
        await discardPausedMachine(paths);
        // A failed save leaves the VM running (its supervisor runs the vCPUs again): a
        // requested pause reports it and changes nothing. The TTL must not leave it running:
        // it stops it cleanly (the agent syncs and unmounts); its disk is kept.
        const alive = (await liveMachineState(paths))?.state === "ready";
        if (reason === "requested" && alive) throw err;
        if (alive) await stopMachine(paths, "poweroff", 15_000);
        else await stopMachine(paths, "kill");
        record.state = "stopped";
        record.paused = { at, reason, stopped: true };
        if (reason === "requested") failure = err; // its VM is gone: recorded, then reported
      }
      await ws.releaseNetwork(record);
      record.network = null;
      changed = true;
      if (reason === "requested") record.last_activity_at = new Date().toISOString();
    },
    false,
  );
  if (failure !== undefined) throw failure;
  return { view, changed };
}

/** Whether a running workspace is still past its TTL with no command in flight (under its lock). */
async function stillIdlePastTtl(record: WorkspaceRecord, paths: WorkspacePaths): Promise<boolean> {
  const expiry = idleExpiry(record);
  if (record.state !== "started" || expiry === null || expiry > Date.now()) return false;
  return ((await liveMachineState(paths))?.in_flight ?? 0) === 0;
}

/**
 * Resumes a paused workspace (its processes carry on, the guest clock is set from the host's,
 * published ports reopen); one the TTL had to stop boots its disk instead. A running workspace
 * is a no-op (`changed: false`).
 * @throws PyroError workspace_not_paused (stopped by a user, failed, creating),
 *   boot_failed (the saved state could not be loaded: `workspace start` boots the disk),
 *   state_corrupt (paused, but its saved machine is gone: `workspace start` boots the disk),
 *   and the boot's own errors (too_many_vms, host_dependency_missing, ...)
 */
export async function resumeWorkspaceVm(
  ws: WorkspaceManager,
  id: string,
): Promise<{ view: WorkspaceView; changed: boolean }> {
  let changed = false;
  let stoppedByTtl = false;
  const view = await ws.mutate(id, async (record) => {
    if (record.state === "started" && (await liveMachineState(ws.paths(id)))?.state === "ready") return;
    if (record.state === "stopped" && record.paused?.stopped) {
      stoppedByTtl = true;
      return;
    }
    if (record.state !== "paused") {
      throw new PyroError("workspace_not_paused", `workspace "${id}" is ${record.state}, not paused`, {
        details: { workspace_id: id, state: record.state },
        hint: record.state === "stopped" ? `pyro workspace start ${id}` : undefined,
      });
    }
    // A resume killed half-way may have left its VM running unseen: end it, never boot twice.
    await stopMachine(ws.paths(id), "kill");
    if (!hasPausedMachine(ws.paths(id))) {
      throw new PyroError("state_corrupt", `workspace "${id}" is paused but its saved machine is gone`, {
        details: { workspace_id: id },
        hint: `pyro workspace start ${id} boots its disk (its processes are lost)`,
      });
    }
    await resumeWithNetwork(ws, record);
    changed = true;
  });
  if (stoppedByTtl) {
    const started = await ws.start(id);
    return { view: started.view, changed: started.wasStopped };
  }
  return { view, changed };
}

/** Attaches the NIC again (egress policies), then starts the saved machine. The caller holds the lock. */
async function resumeWithNetwork(ws: WorkspaceManager, record: WorkspaceRecord): Promise<void> {
  const paths = ws.paths(record.workspace_id);
  const nic = await attachWorkspaceNetwork(paths, record);
  try {
    await requireInstalled(ws.config.cacheDir, record.environment);
    await resumeMachine(ws.config, paths, record, nic);
  } catch (err) {
    await ws.releaseNetwork(record);
    record.network = null;
    throw err;
  }
  record.state = "started";
  record.paused = null;
  record.error = null;
}

/**
 * What exec, shell and service calls do with a workspace that is not running: a paused one
 * (or one its TTL stopped) is resumed when it allows it (`auto_resume`), else refused.
 * @returns whether it was resumed
 * @throws PyroError workspace_paused (created with --no-auto-resume), and resume's errors
 */
export async function resumeForCall(ws: WorkspaceManager, view: WorkspaceView): Promise<boolean> {
  const byTtl = view.state === "stopped" && view.paused?.reason === "ttl";
  if (view.state !== "paused" && !byTtl) return false;
  if (!view.auto_resume) {
    throw new PyroError("workspace_paused", `workspace "${view.workspace_id}" is paused`, {
      details: { workspace_id: view.workspace_id, reason: view.paused?.reason ?? "requested" },
      hint: `pyro workspace resume ${view.workspace_id}`,
    });
  }
  await resumeWorkspaceVm(ws, view.workspace_id);
  return true;
}
