/** VM and one-shot run results in snake_case (`--json`, MCP `structuredContent`). */
import { z } from "zod";

export const VmSchema = z.object({
  vm_id: z.string(),
  environment: z.string(),
  state: z.enum(["created", "started", "stopped", "failed"]),
  vcpu_count: z.number(),
  mem_mib: z.number(),
  ttl_seconds: z.number(),
  network: z.boolean(),
  acceleration: z.enum(["kvm", "tcg"]).nullable(),
  acceleration_reason: z.string().nullable(),
  execution_mode: z.string(),
  created_at: z.string(),
  last_activity_at: z.string(),
  expires_at: z.string().nullable(),
  boot_ms: z.number().nullable().describe("VMM start to agent ready, in ms"),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type Vm = z.infer<typeof VmSchema>;

export const VmListSchema = z.object({ vms: z.array(VmSchema) });
export type VmList = z.infer<typeof VmListSchema>;

/** What deleting a VM did: also the `cleanup` of a run or a VM exec. */
export const VmDeleteSchema = z.object({ deleted: z.boolean(), reason: z.string(), vm_id: z.string() });
export type VmDelete = z.infer<typeof VmDeleteSchema>;

export const VmExecResultSchema = z.object({
  vm_id: z.string(),
  exit_code: z.number().int(),
  stdout: z.string(),
  stderr: z.string(),
  duration_ms: z.number().describe("Time the command ran in the guest, in ms"),
  timed_out: z.boolean(),
  cleanup: VmDeleteSchema,
});
export type VmExecResult = z.infer<typeof VmExecResultSchema>;

export const VmNetworkInfoSchema = z.object({
  vm_id: z.string(),
  network_enabled: z.boolean(),
  guest_ip: z.string().nullable(),
  host_ip: z.string().nullable(),
  tap_name: z.string().nullable(),
});
export type VmNetworkInfo = z.infer<typeof VmNetworkInfoSchema>;

export const ReapResultSchema = z.object({
  reaped: z
    .array(z.string())
    .describe(
      "Ids of the VMs deleted, and of the workspaces paused (stopped where a save failed) or, with ttl_action delete, deleted",
    ),
});
export type ReapResult = z.infer<typeof ReapResultSchema>;

export const RunResultSchema = z.object({
  environment: z.string(),
  command: z.array(z.string()),
  exit_code: z.number().int().describe("The guest command's exit status (128+N when killed by signal N)"),
  stdout: z.string(),
  stderr: z.string(),
  duration_ms: z.number().describe("Wall time from create to cleanup, in ms"),
  execution_mode: z.string().describe('How the command ran, e.g. "guest_virtio_serial"'),
  acceleration: z.enum(["kvm", "tcg"]),
  boot: z
    .enum(["restored", "cold"])
    .describe(
      "How the VM started: restored from a VM template (docs/templates.md), or its kernel booted (cold: --cold, no usable template, or a restore that failed)",
    ),
  vm_id: z.string(),
  cleanup: VmDeleteSchema,
});
export type RunResult = z.infer<typeof RunResultSchema>;
