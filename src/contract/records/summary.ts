/**
 * `workspace summary` in snake_case (`--json`, MCP `structuredContent`): in one record what a
 * reviewing model needs of a workspace: what changed since the baseline, the last commands,
 * services, shells and snapshots. Each part reuses the fields of the full record it abridges.
 */
import { z } from "zod";
import { DiffEntrySchema, WorkspaceDiffSchema } from "./files.js";
import { ServiceSchema, ShellSchema } from "./runtime.js";
import { HistoryEntrySchema, SnapshotSchema } from "./workspace.js";
import { WorkspaceStateSchema } from "./workspace-record.js";

/** Most changed paths a summary lists (the counts cover all of them). */
export const SUMMARY_MAX_FILES = 200;
/** Commands a summary shows: the last ones of the history. */
export const SUMMARY_RECENT_COMMANDS = 10;

export const SummaryChangesSchema = z
  .object({
    changed: z.boolean(),
    summary: WorkspaceDiffSchema.shape.summary,
    file_count: z.number().describe("Changed paths in all"),
    files: z
      .array(DiffEntrySchema)
      .describe(`The changed paths, sorted, at most ${SUMMARY_MAX_FILES} (workspace diff has the patch)`),
    files_truncated: z.boolean().describe(`More than ${SUMMARY_MAX_FILES} paths changed`),
  })
  .describe("/workspace against the create-time baseline (workspace diff without the patch)");

export const SummaryCommandSchema = HistoryEntrySchema.pick({
  sequence: true,
  command: true,
  exit_code: true,
  timed_out: true,
  duration_ms: true,
  started_at: true,
});

export const SummaryServiceSchema = ServiceSchema.pick({
  service_name: true,
  state: true,
  command: true,
  exit_code: true,
  stop_reason: true,
  published_ports: true,
});

export const SummaryShellSchema = ShellSchema.pick({
  shell_id: true,
  state: true,
  cwd: true,
  exit_code: true,
});

export const WorkspaceSummarySchema = z.object({
  workspace_id: z.string(),
  name: z.string().nullable(),
  state: WorkspaceStateSchema,
  environment: z.string(),
  changes: SummaryChangesSchema.nullable().describe(
    "/workspace against the create-time baseline; null when the workspace is not running",
  ),
  commands: z.object({
    count: z.number().describe("Commands in the history (since create or the last reset)"),
    recent: z
      .array(SummaryCommandSchema)
      .describe(`The last ${SUMMARY_RECENT_COMMANDS} commands, oldest first, without their output`),
  }),
  services: z.array(SummaryServiceSchema).describe("Services (empty when the workspace is not running)"),
  shells: z.array(SummaryShellSchema).describe("Shells (empty when the workspace is not running)"),
  snapshots: z.array(SnapshotSchema).describe("Snapshots, the implicit baseline first"),
});
export type WorkspaceSummary = z.infer<typeof WorkspaceSummarySchema>;
