/**
 * Public workspace records in snake_case, the JSON shape of `--json` and MCP `structuredContent`
 * (the SDK returns them camelCased). {@link WorkspaceSchema} is derived from the on-disk record
 * (workspace-record.ts): its internal fields left out, computed ones added.
 */
import { z } from "zod";
import { extendAfter } from "./shape.js";
import { WorkspaceRecordSchema } from "./workspace-record.js";

/** On-disk fields no face shows: layout bookkeeping, host paths, snapshot index, create marker. */
const INTERNAL = { layout_version: true, kernel_path: true, snapshots: true, create_pid: true } as const;

export const WorkspaceSchema = extendAfter(
  WorkspaceRecordSchema.omit(INTERNAL).extend({
    network: z
      .object({ interface: z.string(), host_ip: z.string(), guest_ip: z.string() })
      .nullable()
      .describe("The guest NIC under egress policies: host TAP, host and guest addresses of its /30"),
    max_pids: z
      .number()
      .nullable()
      .describe(
        "Process cap per command (pids.max of each exec, shell and service cgroup; threads count too): the guest's value while it runs, else the one set at create (null: the default derived from memMib)",
      ),
    disk_mib: z
      .number()
      .nullable()
      .describe("Disk size in MiB (apparent size of the sparse disk file); null when it has no disk"),
  }),
  {
    last_activity_at: {
      expires_at: z
        .string()
        .nullable()
        .describe(
          "When the idle TTL pauses it (or deletes it, ttl_action delete), ISO 8601; null without a TTL or while it is not running",
        ),
    },
    command_count: {
      service_count: z.number(),
      running_service_count: z.number(),
    },
    disk_mib: {
      disk_allocated_mib: z
        .number()
        .nullable()
        .describe("What the host stores of the disk in MiB (the sparse file's allocated blocks)"),
      user_process_count: z
        .number()
        .nullable()
        .describe(
          "Processes of user work running in the guest now (every exec, shell and service, background ones included); null when the workspace is not running or did not answer",
        ),
    },
  },
);
export type Workspace = z.infer<typeof WorkspaceSchema>;

export const WorkspaceListSchema = z.object({ count: z.number(), workspaces: z.array(WorkspaceSchema) });
export type WorkspaceList = z.infer<typeof WorkspaceListSchema>;

export const WorkspaceForkSchema = z.object({
  forked_from: z.string().describe("The parent's id: it keeps running (or stays paused) as it was"),
  count: z.number(),
  workspaces: z
    .array(WorkspaceSchema)
    .describe(
      "The forks, running: each with its own disk copy, memory, identity, NIC and published ports, and the parent's processes, shells and services",
    ),
});
export type WorkspaceFork = z.infer<typeof WorkspaceForkSchema>;

export const WorkspaceDeleteSchema = z.object({ workspace_id: z.string(), deleted: z.boolean() });
export type WorkspaceDelete = z.infer<typeof WorkspaceDeleteSchema>;

export const StopStartResultSchema = z.object({
  workspace: WorkspaceSchema,
  changed: z.boolean().describe("False when the workspace already was in the requested state"),
});
export type StopStartResult = z.infer<typeof StopStartResultSchema>;

export const WorkspaceExecResultSchema = z.object({
  workspace_id: z.string(),
  sequence: z.number(),
  command: z.array(z.string()),
  cwd: z.string(),
  exit_code: z.number(),
  stdout: z.string(),
  stderr: z.string(),
  duration_ms: z.number().describe("Time the command ran in the guest, in ms"),
  execution_mode: z.string(),
});
export type WorkspaceExecResult = z.infer<typeof WorkspaceExecResultSchema>;

export const HistoryEntrySchema = z.object({
  sequence: z.number(),
  command: z.array(z.string()),
  cwd: z.string(),
  exit_code: z.number(),
  timed_out: z.boolean(),
  duration_ms: z.number(),
  started_at: z.string(),
  stdout: z.string(),
  stderr: z.string(),
  output_truncated: z.boolean(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const WorkspaceLogsSchema = z.object({
  workspace_id: z.string(),
  count: z.number(),
  entries: z.array(HistoryEntrySchema),
});
export type WorkspaceLogs = z.infer<typeof WorkspaceLogsSchema>;

export const SnapshotSchema = z.object({
  name: z.string(),
  created_at: z.string(),
  size_bytes: z.number().describe("Archive size in bytes"),
  implicit: z.boolean().describe("True for the create-time baseline, which cannot be deleted"),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

export const SnapshotListSchema = z.object({
  workspace_id: z.string(),
  count: z.number(),
  snapshots: z.array(SnapshotSchema),
});
export type SnapshotList = z.infer<typeof SnapshotListSchema>;

export const SnapshotDeleteSchema = z.object({
  workspace_id: z.string(),
  name: z.string(),
  deleted: z.boolean(),
});
export type SnapshotDelete = z.infer<typeof SnapshotDeleteSchema>;
