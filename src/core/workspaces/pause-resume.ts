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
import type { WorkspaceView } from "./workspace-view.js";

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
 * no-op (`changed: false`). A TTL pause that cannot save stops the VM cleanly instead
 * (`paused.stopped: true`: files kept, processes lost); a requested one throws.
 * @throws PyroError workspace_not_running (stopped, failed or creating), save_failed
 */
export async function pauseWorkspaceVm(
  ws: WorkspaceManager,
  id: string,
  reason: PauseReason,
): Promise<{ view: WorkspaceView; changed: boolean }> {
  let changed = false;
  // A TTL pause leaves the activity mark alone: it was not the user's doing.
  const view = await ws.mutate(
    id,
    async (record) => {
      if (record.state === "paused") return;
      const paths = ws.paths(id);
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
        if (reason === "requested") {
          await stopMachine(paths, "kill");
          throw err;
        }
        // The TTL must not leave it running: stop it cleanly; its disk is kept.
        if ((await liveMachineState(paths))?.state === "ready") await stopMachine(paths, "poweroff", 15_000);
        else await stopMachine(paths, "kill");
        record.state = "stopped";
        record.paused = { at, reason, stopped: true };
      }
      await ws.releaseNetwork(record);
      record.network = null;
      changed = true;
    },
    reason === "requested",
  );
  return { view, changed };
}

/**
 * Resumes a paused workspace (its processes carry on, the guest clock is set from the host's,
 * published ports reopen); one the TTL had to stop boots its disk instead. A running workspace
 * is a no-op (`changed: false`).
 * @throws PyroError workspace_not_stopped (not paused: stopped by a user, failed, creating),
 *   boot_failed (the saved state could not be loaded: `workspace start` boots the disk)
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
    if (record.state !== "paused" || !hasPausedMachine(ws.paths(id))) {
      throw new PyroError("workspace_not_stopped", `workspace "${id}" is ${record.state}, not paused`, {
        details: { workspace_id: id, state: record.state },
        hint: record.state === "stopped" ? `pyro workspace start ${id}` : undefined,
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
