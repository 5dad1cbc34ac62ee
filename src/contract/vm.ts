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
