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
  })
  .strict();
export type RunInput = z.input<typeof RunInputSchema>;
