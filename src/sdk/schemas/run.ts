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

export const PrepareInputSchema = z
  .object({
    environment: EnvironmentName,
    vcpuCount: VcpuCount,
    memMib: MemMib,
    diskMib: DiskMib,
  })
  .strict();
export type PrepareInput = z.input<typeof PrepareInputSchema>;

export const PreparedTemplateSchema = z.object({
  purpose: z.enum(["run", "workspace"]).describe("run: for `pyro run`; workspace: for `workspace create`"),
  key: z.string().describe("The template's key: 16 hex digits of the sha256 of its inputs"),
  built: z.boolean().describe("False when a usable template was there already"),
  bootMs: z.number().describe("The template's cold boot, in ms"),
  saveMs: z.number().describe("Saving its state, in ms"),
});
export type PreparedTemplate = z.infer<typeof PreparedTemplateSchema>;
