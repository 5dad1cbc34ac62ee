/** The zod schema of the persisted VM record (`vms/<vm_id>/vm.json`, layout_version 1). */
import { z } from "zod";

export const VmRecordSchema = z.object({
  layout_version: z.number().int(),
  vm_id: z.string(),
  environment: z.string(),
  vcpu_count: z.number().int(),
  mem_mib: z.number().int(),
  ttl_seconds: z.number().int(),
  network: z.boolean(),
  /** The guest NIC while the VM runs with `network` (its TAP and /30), else null. */
  network_info: z
    .object({ interface: z.string(), host_ip: z.string(), guest_ip: z.string() })
    .nullable()
    .default(null),
  state: z.enum(["created", "started", "stopped", "failed"]),
  acceleration: z.enum(["kvm", "tcg"]).nullable(),
  acceleration_reason: z.string().nullable(),
  execution_mode: z.string(),
  kernel_path: z.string(),
  image_path: z.string(),
  created_at: z.string(),
  last_activity_at: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
