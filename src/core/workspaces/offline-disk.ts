/**
 * Offline disk tools of a stopped workspace (list, read, export of its raw ext4 image, no
 * boot), answering with contract records (snake_case).
 */
import type { z } from "zod";
import type { DiskExport, DiskList, FileRead } from "../../contract/records/files.js";
import type {
  DiskExportInputSchema,
  DiskListInputSchema,
  DiskReadInputSchema,
} from "../../contract/workspace.js";
import * as disk from "./disk.js";
import { fileReadRecord } from "./files.js";
import { guestPath, absoluteGuestPath as shown } from "./guest-files.js";
import type { WorkspaceManager } from "./manager.js";

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

/** Lists /workspace on the disk. @throws PyroError workspace_not_stopped, path_outside_workspace, file_not_found */
export async function listWorkspaceDisk(
  ws: WorkspaceManager,
  args: z.output<typeof DiskListInputSchema>,
): Promise<DiskList> {
  const { id, image, work } = await stoppedImage(ws, args.workspaceId);
  const entries = await disk.listDisk(image, args.path, args.recursive, work);
  return { workspace_id: id, path: shown(guestPath(args.path)), recursive: args.recursive, entries };
}

/** Reads a regular file from the disk. @throws PyroError workspace_not_stopped */
export async function readWorkspaceDisk(
  ws: WorkspaceManager,
  args: z.output<typeof DiskReadInputSchema>,
): Promise<FileRead> {
  const { id, image, work } = await stoppedImage(ws, args.workspaceId);
  const r = await disk.readDisk(image, args.path, args.maxBytes, work);
  return fileReadRecord(id, r.path, r);
}

/** Copies the raw image (sparse) to a new host path. @throws PyroError invalid_argument if it exists */
export async function exportWorkspaceDisk(
  ws: WorkspaceManager,
  args: z.output<typeof DiskExportInputSchema>,
): Promise<DiskExport> {
  const { id, image } = await stoppedImage(ws, args.workspaceId);
  const r = await disk.exportDisk(image, args.outputPath);
  return { workspace_id: id, output_path: r.outputPath, disk_format: "ext4", bytes_written: r.bytesWritten };
}
