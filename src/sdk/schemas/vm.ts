/** The `*Vm` lifecycle: create/start/exec/stop/delete/status/reap. */
import { z } from "zod";
import { Command, EnvironmentName, MemMib, TimeoutSeconds, TtlSeconds, VcpuCount, VmId } from "./common.js";

export const CreateVmInputSchema = z
  .object({
    environment: EnvironmentName,
    vcpuCount: VcpuCount,
    memMib: MemMib,
    ttlSeconds: TtlSeconds,
    network: z.boolean().default(false),
  })
  .strict();
export type CreateVmInput = z.input<typeof CreateVmInputSchema>;

export const ExecVmInputSchema = z
  .object({ vmId: VmId, command: Command, timeoutSeconds: TimeoutSeconds })
  .strict();
export type ExecVmInput = z.input<typeof ExecVmInputSchema>;

export const VmSchema = z.object({
  vmId: z.string(),
  environment: z.string(),
  state: z.enum(["created", "started", "stopped", "failed"]),
  vcpuCount: z.number(),
  memMib: z.number(),
  ttlSeconds: z.number(),
  network: z.boolean(),
  acceleration: z.enum(["kvm", "tcg"]).nullable(),
  accelerationReason: z.string().nullable(),
  executionMode: z.string(),
  createdAt: z.string(),
  lastActivityAt: z.string(),
  expiresAt: z.string().nullable(),
  bootMs: z.number().nullable().describe("VMM start to agent ready, in ms"),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type Vm = z.infer<typeof VmSchema>;

export const VmExecResultSchema = z.object({
  vmId: z.string(),
  exitCode: z.number().int(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().describe("Time the command ran in the guest, in ms"),
  timedOut: z.boolean(),
  cleanup: z.object({ deleted: z.boolean(), reason: z.string(), vmId: z.string() }),
});
export type VmExecResult = z.infer<typeof VmExecResultSchema>;

export const VmNetworkInfoSchema = z.object({
  vmId: z.string(),
  networkEnabled: z.boolean(),
  guestIp: z.string().nullable(),
  hostIp: z.string().nullable(),
  tapName: z.string().nullable(),
});
export type VmNetworkInfo = z.infer<typeof VmNetworkInfoSchema>;
