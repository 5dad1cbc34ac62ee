/** `run` (one-shot): input and result. */
import { z } from "zod";
import {
  Command,
  DiskMib,
  EnvironmentName,
  MemMib,
  TimeoutSeconds,
  TtlSeconds,
  VcpuCount,
} from "./common.js";

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

/** `prepare`: build an environment's VM templates ahead of the first run (docs/templates.md). */
export const PrepareInputSchema = z
  .object({
    environment: EnvironmentName,
    vcpuCount: VcpuCount,
    memMib: MemMib,
    diskMib: DiskMib,
  })
  .strict();
export type PrepareInput = z.input<typeof PrepareInputSchema>;
