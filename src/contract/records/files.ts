/**
 * Results of the file operations of a workspace (live through its agent, or offline from the
 * disk of a stopped one) in snake_case, the JSON shape of `--json` and MCP `structuredContent`.
 */
import { z } from "zod";

export const SyncResultSchema = z.object({
  workspace_id: z.string(),
  source_path: z.string(),
  source_kind: z.enum(["directory", "tar_archive"]),
  destination: z.string(),
  entries: z.number(),
  bytes: z.number(),
});
export type SyncResult = z.infer<typeof SyncResultSchema>;

export const ExportResultSchema = z.object({
  workspace_id: z.string(),
  guest_path: z.string(),
  output_path: z.string(),
  kind: z.enum(["file", "directory"]),
  entries: z.number(),
});
export type ExportResult = z.infer<typeof ExportResultSchema>;

export const DiffEntrySchema = z.object({
  path: z.string(),
  status: z.enum(["added", "deleted", "modified", "type_changed", "mode_changed"]),
  kind: z.enum(["text", "binary", "symlink", "directory", "other"]),
  old_mode: z.string().nullable(),
  new_mode: z.string().nullable(),
});
export const WorkspaceDiffSchema = z.object({
  workspace_id: z.string(),
  changed: z.boolean(),
  summary: z.object({
    added: z.number(),
    deleted: z.number(),
    modified: z.number(),
    type_changed: z.number(),
    mode_changed: z.number(),
    binary: z.number(),
  }),
  entries: z.array(DiffEntrySchema),
  patch: z.string(),
});
export type WorkspaceDiff = z.infer<typeof WorkspaceDiffSchema>;

export const FileEntrySchema = z.object({
  path: z.string(),
  type: z.enum(["file", "dir", "symlink", "other"]),
  size: z.number(),
  mode: z.string(),
  mtime: z.string(),
  link_target: z.string().nullable(),
});
export const FileListSchema = z.object({
  workspace_id: z.string(),
  path: z.string(),
  recursive: z.boolean(),
  entries: z.array(FileEntrySchema),
});
export type FileList = z.infer<typeof FileListSchema>;

export const FileReadSchema = z.object({
  workspace_id: z.string(),
  path: z.string(),
  size: z.number().describe("Full file size in bytes"),
  truncated: z.boolean(),
  encoding: z.enum(["utf-8", "base64"]),
  content: z.string(),
});
export type FileRead = z.infer<typeof FileReadSchema>;

export const FileWriteSchema = z.object({ workspace_id: z.string(), path: z.string(), bytes: z.number() });
export type FileWrite = z.infer<typeof FileWriteSchema>;

export const PatchResultSchema = z.object({
  workspace_id: z.string(),
  applied: z.boolean(),
  files: z.array(z.object({ path: z.string(), status: z.enum(["added", "modified", "deleted"]) })),
});
export type PatchResult = z.infer<typeof PatchResultSchema>;

export const DiskListSchema = z.object({
  workspace_id: z.string(),
  path: z.string(),
  recursive: z.boolean(),
  entries: z.array(
    z.object({ path: z.string(), type: z.string(), size: z.number(), mode: z.string(), mtime: z.string() }),
  ),
});
export type DiskList = z.infer<typeof DiskListSchema>;

export const DiskExportSchema = z.object({
  workspace_id: z.string(),
  output_path: z.string(),
  disk_format: z.literal("ext4"),
  bytes_written: z.number().describe("Apparent size of the copied image in bytes (the copy is sparse)"),
});
export type DiskExport = z.infer<typeof DiskExportSchema>;
