/** Environment records (`env list|pull|inspect|prune`) in snake_case (`--json`, MCP `structuredContent`). */
import { z } from "zod";

export const EnvironmentSchema = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  installed: z.boolean(),
  install_dir: z.string(),
  installed_at: z.string().nullable(),
  kernel_release: z.string().nullable(),
  /**
   * The guest kernel: `flavor` `debian` (Debian's prebuilt cloud kernel) or `custom` (compiled
   * from linux-source), its source `package` and `version`; null when not installed.
   */
  kernel: z
    .object({ flavor: z.enum(["debian", "custom"]), package: z.string(), version: z.string() })
    .nullable(),
  source: z.string().nullable(),
  /** Why an existing install does not count, when it does not. */
  problem: z.string().nullable(),
  artifacts: z.array(
    z.object({ role: z.string(), path: z.string(), sha256: z.string(), size_bytes: z.number() }),
  ),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const EnvironmentListSchema = z.object({
  catalog_version: z.string(),
  environments: z.array(EnvironmentSchema),
});
export type EnvironmentList = z.infer<typeof EnvironmentListSchema>;

export const PullResultSchema = z.object({
  environment: EnvironmentSchema,
  status: z.enum(["already_installed", "installed", "repaired"]),
  repair_reason: z.string().nullable(),
  duration_ms: z.number(),
});
export type PullResult = z.infer<typeof PullResultSchema>;

export const PruneResultSchema = z.object({ removed: z.array(z.string()), bytes_freed: z.number() });
export type PruneResult = z.infer<typeof PruneResultSchema>;

/** One VM template `prepare` made sure of (docs/templates.md). */
export const PreparedTemplateSchema = z.object({
  purpose: z.enum(["run", "workspace"]).describe("run: for `pyro run`; workspace: for `workspace create`"),
  key: z.string().describe("The template's key: 16 hex digits of the sha256 of its inputs"),
  built: z.boolean().describe("False when a usable template was there already"),
  boot_ms: z.number().describe("The template's cold boot, in ms"),
  save_ms: z.number().describe("Saving its state, in ms"),
});
export type PreparedTemplate = z.infer<typeof PreparedTemplateSchema>;
export const PrepareResultSchema = z.object({
  environment: z.string(),
  templates: z.array(PreparedTemplateSchema),
});
export type PrepareResult = z.infer<typeof PrepareResultSchema>;
