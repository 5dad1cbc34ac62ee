/**
 * The zod schema of the persisted workspace record (layout_version 1): the contract of
 * `workspace.json`, and the one definition of a workspace's fields: the public record
 * (records/workspace.ts) is derived from it. core/workspaces/record.ts loads it when a whole
 * record is read (the exec hot path checks only the fields it reads, record-check.ts).
 *
 * A field added to layout 1 needs a default (or `.optional()`): records written before it
 * lack it. Key order is the public record's order (CLI `--json` prints it).
 */
import { z } from "zod";

export const WorkspaceStateSchema = z.enum(["creating", "started", "stopped", "paused", "failed"]);

export const WorkspaceRecordSchema = z.object({
  layout_version: z.number().int(),
  workspace_id: z.string(),
  name: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  environment: z.string(),
  state: WorkspaceStateSchema,
  vcpu_count: z.number().int(),
  mem_mib: z.number().int(),
  ttl_seconds: z.number().int(),
  /**
   * What the idle TTL does: `pause` (the default: RAM and processes saved, resumed by the next
   * call) or `delete` (`--ttl-action delete`: the workspace and its files are removed).
   */
  ttl_action: z
    .enum(["pause", "delete"])
    .default("pause")
    .describe(
      "What happens when the idle TTL passes: pause (default; stop where pause is not possible) or delete",
    ),
  /** Whether exec, shell and service calls resume a paused workspace (`--no-auto-resume`: false). */
  auto_resume: z
    .boolean()
    .default(true)
    .describe(
      "Whether exec, shell and service calls resume a paused workspace first (else workspace_paused)",
    ),
  /** Set while the workspace is paused (or stopped by its TTL): when and why. */
  paused: z
    .object({
      at: z.string().describe("When it was paused or stopped (ISO 8601)"),
      reason: z.enum(["requested", "ttl"]).describe("requested: workspace pause; ttl: idle past its TTL"),
      stopped: z
        .boolean()
        .describe("True when the TTL stopped it instead (its VM could not be saved); processes are lost"),
    })
    .nullable()
    .default(null)
    .describe("Why it is paused (or was stopped by its TTL); null otherwise"),
  network_policy: z.enum(["off", "egress", "egress+published-ports"]),
  execution_mode: z.string(),
  acceleration: z.enum(["kvm", "tcg"]).nullable(),
  kernel_path: z.string(),
  created_at: z.string(),
  last_activity_at: z.string(),
  workspace_seed: z.object({
    mode: z.enum(["empty", "directory", "tar_archive", "git"]),
    seed_path: z
      .string()
      .nullable()
      .describe("The seed: a host path, or for `git` the repository root or URL[#REF]"),
  }),
  /** The workspace this one was forked from (`workspace fork`), null for one created. */
  forked_from: z
    .string()
    .nullable()
    .default(null)
    .describe(
      "Id of the workspace this one was forked from (workspace fork); null for a created one. A fork's diff baseline is its parent's.",
    ),
  secrets: z.array(z.object({ name: z.string(), source_kind: z.string() })),
  /** The guest NIC of an egress workspace (its TAP and /30), null under policy `off`. */
  network: z
    .object({ interface: z.string(), host_ip: z.string(), guest_ip: z.string() })
    .nullable()
    .default(null),
  command_count: z.number().int(),
  /**
   * pids.max of each exec, shell and service cgroup in the guest, set at create (`--max-pids`)
   * and sent to the agent at every boot; null: the agent's default, derived from memory.
   */
  max_pids: z.number().int().nullable().default(null),
  /**
   * Size of the workspace disk in MiB, set at create (`--disk-mib`); null for workspaces made
   * before it could be chosen (their disk is the environment image's size).
   */
  disk_mib: z.number().int().nullable().default(null),
  /** Named snapshots of /workspace (archives under snapshots/); `baseline` is implicit. */
  snapshots: z
    .array(z.object({ name: z.string(), created_at: z.string(), size_bytes: z.number() }))
    .default([]),
  /** Pid of the process running `create`, while state is `creating`; a dead pid means it crashed. */
  create_pid: z.number().int().nullable().optional(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export type WorkspaceRecord = z.infer<typeof WorkspaceRecordSchema>;
