/**
 * Files of a running workspace as the SDK offers them: list, read and write through its agent,
 * push (host to /workspace), export (/workspace to host), diff against the baseline and patch,
 * each answering with its contract record (snake_case). Writes hold the workspace lock.
 */
import type { z } from "zod";
import type * as R from "../../contract/records/files.js";
import type {
  ApplyWorkspacePatchInputSchema,
  ExportWorkspaceInputSchema,
  ListWorkspaceFilesInputSchema,
  PushWorkspaceSyncInputSchema,
  ReadWorkspaceFileInputSchema,
  WriteWorkspaceFileInputSchema,
} from "../../contract/workspace.js";
import { PyroError } from "../../errors.js";
import { machineClient } from "../machine.js";
import { GuestFiles, guestPath, absoluteGuestPath as shown } from "./guest-files.js";
import type { WorkspaceManager } from "./manager.js";
import { isText } from "./tree.js";

// Sync, export, diff and patch code (with tar and diff) loads when one of them runs.
const transfer = () => import("./transfer.js");

/** Files of a running workspace, through its agent. */
const guestFiles = (ws: WorkspaceManager, id: string) => new GuestFiles(machineClient(ws.paths(id)));

/** Resolves `ref` and requires its VM to run. @throws PyroError workspace_not_found, workspace_not_running */
async function runningId(ws: WorkspaceManager, ref: string): Promise<string> {
  const id = await ws.resolve(ref);
  await ws.requireRunning(id);
  return id;
}

/** Runs `fn` on a started workspace under its lock, then marks activity. */
async function mutating<T>(ws: WorkspaceManager, ref: string, fn: (id: string) => Promise<T>): Promise<T> {
  const id = await runningId(ws, ref);
  let out: T | undefined;
  await ws.mutate(id, async () => {
    out = await fn(id);
  });
  return out as T;
}

/** A file read as a record: UTF-8 text when it is text, base64 otherwise. */
export function fileReadRecord(
  workspaceId: string,
  path: string,
  r: { size: number; truncated: boolean; content: Buffer },
): R.FileRead {
  const text = isText(r.content);
  return {
    workspace_id: workspaceId,
    path,
    size: r.size,
    truncated: r.truncated,
    encoding: text ? "utf-8" : "base64",
    content: text ? r.content.toString("utf8") : r.content.toString("base64"),
  };
}

/** Copies a host dir or archive into /workspace (`dest`). @throws PyroError path_outside_workspace */
export async function pushWorkspaceSync(
  ws: WorkspaceManager,
  args: z.output<typeof PushWorkspaceSyncInputSchema>,
): Promise<R.SyncResult> {
  return mutating(ws, args.workspaceId, async (id) => {
    const r = await (await transfer()).pushTree(ws, id, args.sourcePath, args.dest);
    return {
      workspace_id: id,
      source_path: args.sourcePath,
      source_kind: r.kind,
      destination: r.destination,
      entries: r.entries,
      bytes: r.bytes,
    };
  });
}

/** Copies a file or directory of /workspace to a new host path. @throws PyroError invalid_argument if it exists */
export async function exportWorkspace(
  ws: WorkspaceManager,
  args: z.output<typeof ExportWorkspaceInputSchema>,
): Promise<R.ExportResult> {
  const id = await runningId(ws, args.workspaceId);
  const r = await (await transfer()).exportTree(ws, id, args.path, args.outputPath);
  return {
    workspace_id: id,
    guest_path: r.guestPath,
    output_path: r.outputPath,
    kind: r.kind,
    entries: r.entries,
  };
}

/** /workspace against the create-time baseline. */
export async function diffWorkspace(ws: WorkspaceManager, ref: string): Promise<R.WorkspaceDiff> {
  const id = await runningId(ws, ref);
  const d = await (await import("./diff.js")).diffWorkspace(ws, id);
  return { workspace_id: id, ...d };
}

/** Lists a directory (or one file) of /workspace. */
export async function listWorkspaceFiles(
  ws: WorkspaceManager,
  args: z.output<typeof ListWorkspaceFilesInputSchema>,
): Promise<R.FileList> {
  const id = await runningId(ws, args.workspaceId);
  const rel = guestPath(args.path);
  const entries = await guestFiles(ws, id).list(rel, args.recursive);
  return {
    workspace_id: id,
    path: shown(rel),
    recursive: args.recursive,
    entries: entries.map((e) => ({
      path: e.path,
      type: e.type,
      size: e.size,
      mode: e.mode,
      mtime: e.mtime,
      link_target: e.link_target ?? null,
    })),
  };
}

/** Reads a regular file (at most `maxBytes`). @throws PyroError invalid_argument for /workspace itself */
export async function readWorkspaceFile(
  ws: WorkspaceManager,
  args: z.output<typeof ReadWorkspaceFileInputSchema>,
): Promise<R.FileRead> {
  const id = await runningId(ws, args.workspaceId);
  const rel = guestPath(args.path);
  if (rel === ".") throw new PyroError("invalid_argument", "/workspace is a directory; use file list");
  return fileReadRecord(id, shown(rel), await guestFiles(ws, id).read(rel, args.maxBytes));
}

/** Writes a text file atomically, creating parent directories. */
export async function writeWorkspaceFile(
  ws: WorkspaceManager,
  args: z.output<typeof WriteWorkspaceFileInputSchema>,
): Promise<R.FileWrite> {
  const rel = guestPath(args.path);
  if (rel === ".") throw new PyroError("invalid_argument", "cannot write over /workspace itself");
  return mutating(ws, args.workspaceId, async (id) => {
    const r = await guestFiles(ws, id).write(rel, Buffer.from(args.text, "utf8"));
    return { workspace_id: id, path: shown(rel), bytes: r.bytes };
  });
}

/** Applies a unified diff, every hunk checked first. @throws PyroError patch_failed */
export async function applyWorkspacePatch(
  ws: WorkspaceManager,
  args: z.output<typeof ApplyWorkspacePatchInputSchema>,
): Promise<R.PatchResult> {
  return mutating(ws, args.workspaceId, async (id) => {
    const r = await (await import("./patch.js")).applyWorkspacePatch(ws, id, args.patch);
    return {
      workspace_id: id,
      applied: r.applied,
      files: r.files.map((f) => ({ path: shown(f.path), status: f.status })),
    };
  });
}
