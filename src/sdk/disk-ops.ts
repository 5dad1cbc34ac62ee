/** The SDK's stop/start and offline disk operations (stopped workspaces). */
import * as disk from "../core/workspaces/disk.js";
import { guestPath, absoluteGuestPath as shown } from "../core/workspaces/guest-files.js";
import type { WorkspaceManager } from "../core/workspaces/manager.js";
import {
  type DiskExport,
  type DiskExportInput,
  DiskExportInputSchema,
  type DiskList,
  type DiskListInput,
  DiskListInputSchema,
  type DiskReadInput,
  DiskReadInputSchema,
  type FileRead,
  type StopStartResult,
} from "./schemas/workspace.js";
import { validate } from "./validate.js";
import { fileReadRecord, liveRecord, resolveRef, workspaceRecord } from "./workspace-ops.js";

export async function stopWorkspace(ws: WorkspaceManager, ref: string): Promise<StopStartResult> {
  const r = await ws.stop(await resolveRef(ws, ref));
  return { workspace: workspaceRecord(r.view), changed: r.wasRunning };
}

export async function startWorkspace(ws: WorkspaceManager, ref: string): Promise<StopStartResult> {
  const r = await ws.start(await resolveRef(ws, ref));
  return { workspace: await liveRecord(ws, r.view), changed: r.wasStopped };
}

/** Resolves, requires `stopped`, scrubs runtime-only state, and returns the image path. */
async function stoppedImage(
  ws: WorkspaceManager,
  ref: string,
): Promise<{ id: string; image: string; work: string }> {
  const id = await ws.resolve(ref);
  const paths = ws.paths(id);
  return ws.lock(id, async () => {
    await ws.requireStopped(id);
    await disk.scrubRuntimeState(paths.rootfs, paths.scratchDir);
    return { id, image: paths.rootfs, work: paths.scratchDir };
  });
}

export async function listWorkspaceDisk(ws: WorkspaceManager, input: DiskListInput): Promise<DiskList> {
  const args = validate(DiskListInputSchema, input);
  const { id, image, work } = await stoppedImage(ws, args.workspaceId);
  const entries = await disk.listDisk(image, args.path, args.recursive, work);
  return { workspaceId: id, path: shown(guestPath(args.path)), recursive: args.recursive, entries };
}

export async function readWorkspaceDisk(ws: WorkspaceManager, input: DiskReadInput): Promise<FileRead> {
  const args = validate(DiskReadInputSchema, input);
  const { id, image, work } = await stoppedImage(ws, args.workspaceId);
  const r = await disk.readDisk(image, args.path, args.maxBytes, work);
  return fileReadRecord(id, r.path, r);
}

export async function exportWorkspaceDisk(ws: WorkspaceManager, input: DiskExportInput): Promise<DiskExport> {
  const args = validate(DiskExportInputSchema, input);
  const { id, image } = await stoppedImage(ws, args.workspaceId);
  const r = await disk.exportDisk(image, args.outputPath);
  return { workspaceId: id, outputPath: r.outputPath, diskFormat: "ext4", bytesWritten: r.bytesWritten };
}
