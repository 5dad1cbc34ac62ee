/**
 * Named snapshots of /workspace and reset. A snapshot is a tar of /workspace under
 * `snapshots/<name>.tar`; `baseline` (captured at create) is implicit and undeletable.
 * Reset boots a fresh disk and restores one of them: same identity, baseline and snapshots;
 * command history, shells and services are gone. Each operation resolves its workspace ref and
 * answers with its contract record (snake_case).
 */
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Snapshot, SnapshotDelete, SnapshotList, Workspace } from "../../contract/records/workspace.js";
import { PyroError } from "../../errors.js";
import { stopMachine } from "../machine.js";
import type { WorkspaceManager } from "./manager.js";
import { discardPausedMachine } from "./pause.js";
import { workspaceRecord } from "./public-record.js";
import { guestFiles } from "./transfer.js";

export const BASELINE = "baseline";

function snapshotPath(ws: WorkspaceManager, id: string, name: string): string {
  return name === BASELINE ? ws.paths(id).baselineTar : join(ws.paths(id).snapshotsDir, `${name}.tar`);
}

/** Snapshots of a workspace, the implicit `baseline` first. @throws PyroError workspace_not_found */
export async function listSnapshots(ws: WorkspaceManager, ref: string): Promise<SnapshotList> {
  const id = await ws.resolve(ref);
  const view = await ws.view(id);
  const base = await stat(ws.paths(id).baselineTar).catch(() => undefined);
  const snapshots: Snapshot[] = [
    { name: BASELINE, created_at: view.created_at, size_bytes: base?.size ?? 0, implicit: true },
    ...view.snapshots.map((s) => ({
      name: s.name,
      created_at: s.created_at,
      size_bytes: s.size_bytes,
      implicit: false,
    })),
  ];
  return { workspace_id: id, count: snapshots.length, snapshots };
}

/** @throws PyroError invalid_argument (name taken or reserved), workspace_not_running */
export async function createSnapshot(
  ws: WorkspaceManager,
  { workspaceId, name }: { workspaceId: string; name: string },
): Promise<Snapshot> {
  const id = await ws.resolve(workspaceId);
  if (name === BASELINE) {
    throw new PyroError(
      "invalid_argument",
      `"${BASELINE}" is the implicit create-time snapshot; choose another name`,
    );
  }
  await ws.requireRunning(id);
  let info: Snapshot | undefined;
  await ws.mutate(id, async (record) => {
    if (record.snapshots.some((s) => s.name === name)) {
      throw new PyroError("invalid_argument", `snapshot "${name}" already exists in workspace "${id}"`, {
        hint: "delete it first or pick another name",
      });
    }
    const path = snapshotPath(ws, id, name);
    await mkdir(ws.paths(id).snapshotsDir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.tmp`;
    await pipeline(await guestFiles(ws, id).getTar("."), createWriteStream(tmp, { mode: 0o600 }));
    await rename(tmp, path);
    const entry = { name, created_at: new Date().toISOString(), size_bytes: (await stat(path)).size };
    record.snapshots.push(entry);
    info = { ...entry, implicit: false };
  });
  return info as Snapshot;
}

/** @throws PyroError snapshot_protected (baseline), snapshot_not_found */
export async function deleteSnapshot(
  ws: WorkspaceManager,
  { workspaceId, name }: { workspaceId: string; name: string },
): Promise<SnapshotDelete> {
  const id = await ws.resolve(workspaceId);
  if (name === BASELINE) {
    throw new PyroError(
      "snapshot_protected",
      `the "${BASELINE}" snapshot cannot be deleted: diff and reset rely on it`,
    );
  }
  await ws.mutate(
    id,
    async (record) => {
      if (!record.snapshots.some((s) => s.name === name)) {
        throw new PyroError("snapshot_not_found", `no snapshot "${name}" in workspace "${id}"`);
      }
      record.snapshots = record.snapshots.filter((s) => s.name !== name);
      await rm(snapshotPath(ws, id, name), { force: true });
    },
    false,
  );
  return { workspace_id: id, name, deleted: true };
}

/**
 * Replaces the VM with a fresh one from the environment and restores /workspace from
 * `snapshot`. @throws PyroError snapshot_not_found, boot_failed
 */
export async function resetWorkspace(
  ws: WorkspaceManager,
  { workspaceId, snapshot }: { workspaceId: string; snapshot: string },
): Promise<Workspace> {
  const id = await ws.resolve(workspaceId);
  const view = await ws.mutate(id, async (record) => {
    const archive = snapshotPath(ws, id, snapshot);
    if (snapshot !== BASELINE && !record.snapshots.some((s) => s.name === snapshot)) {
      throw new PyroError("snapshot_not_found", `no snapshot "${snapshot}" in workspace "${id}"`);
    }
    if (!existsSync(archive))
      throw new PyroError("state_corrupt", `snapshot archive "${archive}" is missing`);
    // If anything below fails the record is left as it was and the workspace reads as
    // `stopped` (its VM is gone): reset again or delete it.
    await stopMachine(ws.paths(id), "kill");
    await discardPausedMachine(ws.paths(id)); // a paused workspace's saved machine fits no fresh disk
    record.paused = null;
    record.acceleration = await ws.bootFreshDisk(record);
    await guestFiles(ws, id).putTar(".", createReadStream(archive), true);
    record.state = "started";
    record.error = null;
    record.command_count = 0;
    await truncate(ws.paths(id).history, 0).catch(() => undefined);
  });
  return workspaceRecord(view);
}
