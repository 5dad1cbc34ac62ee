/** `run` (one-shot): input and result. */
import { z } from "zod";
import { Command, EnvironmentName, MemMib, TimeoutSeconds, TtlSeconds, VcpuCount } from "./common.js";

export const RunInputSchema = z
  .object({
    environment: EnvironmentName,
    command: Command,
    vcpuCount: VcpuCount,
    memMib: MemMib,
    timeoutSeconds: TimeoutSeconds,
    ttlSeconds: TtlSeconds,
    network: z.boolean().default(false).describe("Give the guest outbound network access. Default false."),
    cold: z
      .boolean()
      .default(false)
      .describe("Boot the kernel even when a VM template could be restored (slower). Default false."),
  })
  .strict();
export type RunInput = z.input<typeof RunInputSchema>;

export const CleanupSchema = z.object({ deleted: z.boolean(), reason: z.string(), vmId: z.string() });

export const RunResultSchema = z.object({
  environment: z.string(),
  command: z.array(z.string()),
  exitCode: z.number().int().describe("The guest command's exit status (128+N when killed by signal N)"),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().describe("Wall time from create to cleanup, in ms"),
  executionMode: z.string().describe('How the command ran, e.g. "guest_virtio_serial"'),
  acceleration: z.enum(["kvm", "tcg"]),
  vmId: z.string(),
  cleanup: CleanupSchema,
});
export type RunResult = z.infer<typeof RunResultSchema>;
