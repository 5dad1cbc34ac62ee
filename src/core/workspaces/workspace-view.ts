/**
 * What a workspace is right now: its record joined with live facts (a crashed VM reads
 * `failed` with its reason, an interrupted create `failed`, the TTL's expiry). Reads take no
 * lock and never throw for a damaged-but-present workspace.
 */
import { existsSync, statSync } from "node:fs";
import { PyroError } from "../../errors.js";
import { isLocked } from "../lock.js";
import { liveMachineState, recordedMachineState, stopMachine } from "../machine.js";
import { CRASH_CODE, machineCrash, supervisorRuns } from "../machine-outcome.js";
import { workspacePaths } from "../paths.js";
import { diskUsage } from "./disk-size.js";
import { readWorkspaceRecord, WORKSPACE_LAYOUT_VERSION, type WorkspaceRecord } from "./record.js";

/** A record joined with what is true right now (liveness, expiry). */
export interface WorkspaceView extends WorkspaceRecord {
  expires_at: string | null;
  /** The disk's size and what the host stores of it (sparse file), in MiB; null without a disk. */
  disk: { size_mib: number; allocated_mib: number } | null;
}

/**
 * The record, or a `failed` stand-in when the directory exists without one (a create
 * killed before its first write): such a workspace stays visible and deletable.
 * @throws PyroError workspace_not_found, state_corrupt
 */
export async function readRecordOrStub(stateDir: string, id: string): Promise<WorkspaceRecord> {
  const dir = workspacePaths(stateDir, id).dir;
  try {
    return await readWorkspaceRecord(stateDir, id);
  } catch (err) {
    if (!(err instanceof PyroError) || err.code === "state_corrupt" || !existsSync(dir)) throw err;
    const at = new Date(statSync(dir).mtimeMs).toISOString();
    // Through the schema, so that fields with defaults (every one added after layout 1) fill in.
    const { WorkspaceRecordSchema } = await import("../../contract/records/workspace-record.js");
    return WorkspaceRecordSchema.parse({
      layout_version: WORKSPACE_LAYOUT_VERSION,
      workspace_id: id,
      name: null,
      labels: {},
      environment: "unknown",
      state: "failed",
      vcpu_count: 0,
      mem_mib: 0,
      ttl_seconds: 0,
      network_policy: "off",
      execution_mode: "guest_virtio_serial",
      acceleration: null,
      kernel_path: "",
      created_at: at,
      last_activity_at: at,
      workspace_seed: { mode: "empty", seed_path: null },
      secrets: [],
      command_count: 0,
      error: {
        code: "state_corrupt",
        message: "create was interrupted before the workspace record was written",
      },
    });
  }
}

/** Record plus live facts. @throws PyroError workspace_not_found, state_corrupt */
export async function viewWorkspace(stateDir: string, id: string): Promise<WorkspaceView> {
  const record = await readRecordOrStub(stateDir, id);
  const paths = workspacePaths(stateDir, id);
  let state = record.state;
  let error = record.error;
  if (state === "started") {
    const live = await liveMachineState(paths);
    if (live?.state !== "ready") {
      // Not running: a crash (VMM or supervisor died unasked) shows as failed with its reason.
      const crash = machineCrash(live, recordedMachineState(paths), (pid) =>
        supervisorRuns(pid, paths.supervisorConfig),
      );
      state = crash ? "failed" : "stopped";
      error = crash ?? error;
    }
  }
  const creatorAlive = record.create_pid ? existsSync(`/proc/${record.create_pid}`) : false;
  if (state === "creating" && (!creatorAlive || !(await isLocked(paths.dir)))) {
    state = "failed";
    error = error ?? { code: "interrupted", message: "create was interrupted before it finished" };
    // Its creator died before the rollback could run: the VM it booted must not run on
    // unseen (1 GiB and a core, and a maxActiveVms slot). Idempotent; the files stay for delete.
    await stopMachine(paths, "kill").catch(() => undefined);
  }
  // Only a running workspace expires: a paused or stopped one has nothing left to reclaim.
  const expiry = state === "started" ? idleExpiry(record) : null;
  const expires = expiry === null ? null : new Date(expiry).toISOString();
  const usage = diskUsage(paths.rootfs);
  const disk = usage ? { size_mib: usage.sizeMib, allocated_mib: usage.allocatedMib } : null;
  return { ...record, state, error, expires_at: expires, disk };
}

/** When a workspace's idle TTL runs out (ms since the epoch): its last activity plus its TTL; null without a TTL. */
export function idleExpiry(record: Pick<WorkspaceRecord, "ttl_seconds" | "last_activity_at">): number | null {
  return record.ttl_seconds > 0 ? Date.parse(record.last_activity_at) + record.ttl_seconds * 1000 : null;
}

/** @throws PyroError workspace_not_running unless the VM answers */
export async function requireRunning(stateDir: string, id: string): Promise<WorkspaceView> {
  const view = await viewWorkspace(stateDir, id);
  if (view.state !== "started") {
    throw new PyroError("workspace_not_running", `workspace "${id}" is ${view.state}`, {
      details: { workspace_id: id, state: view.state },
      hint:
        view.state !== "failed"
          ? undefined
          : view.error?.code === CRASH_CODE
            ? `start it again: pyro workspace start ${id}`
            : `delete it: pyro workspace delete ${id}`,
    });
  }
  return view;
}

/** @throws PyroError workspace_not_stopped while its VM runs (or it failed) */
export async function requireStopped(stateDir: string, id: string): Promise<WorkspaceView> {
  const view = await viewWorkspace(stateDir, id);
  if (view.state !== "stopped") {
    throw new PyroError(
      "workspace_not_stopped",
      `workspace "${id}" is ${view.state}; disk tools need it stopped`,
      {
        // A paused guest's page cache holds writes its disk has not seen: no offline reads.
        hint:
          view.state === "paused"
            ? `resume it and use the workspace file tools, or stop it: pyro workspace stop ${id}`
            : `pyro workspace stop ${id}`,
      },
    );
  }
  return view;
}
