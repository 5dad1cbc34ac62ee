/** Environment records and inputs (`env list|pull|build|push|inspect|prune`). */
import { z } from "zod";
import { EnvironmentName } from "./common.js";

export const EnvironmentSchema = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  /** Built (`env build`) or pulled from a registry (`env pull REF`) here, not from the catalog. */
  local: z.boolean(),
  installed: z.boolean(),
  installDir: z.string(),
  installedAt: z.string().nullable(),
  kernelRelease: z.string().nullable(),
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
    z.object({ role: z.string(), path: z.string(), sha256: z.string(), sizeBytes: z.number() }),
  ),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const EnvironmentListSchema = z.object({
  catalogVersion: z.string(),
  environments: z.array(EnvironmentSchema),
});
export type EnvironmentList = z.infer<typeof EnvironmentListSchema>;

export const PullResultSchema = z.object({
  environment: EnvironmentSchema,
  status: z.enum(["already_installed", "installed", "repaired"]),
  repairReason: z.string().nullable(),
  durationMs: z.number(),
  /** Pulls of a registry reference: the manifest digest installed; null for the catalog. */
  digest: z.string().nullable(),
});
export type PullResult = z.infer<typeof PullResultSchema>;

export const PruneResultSchema = z.object({ removed: z.array(z.string()), bytesFreed: z.number() });
export type PruneResult = z.infer<typeof PruneResultSchema>;

export const BuildEnvironmentInputSchema = z
  .object({
    name: z.string().min(1).describe("Name of the new local environment, e.g. node-dev (not a catalog name)"),
    from: EnvironmentName.default("debian:12").describe(
      'Catalog environment to extend. Default "debian:12".',
    ),
    packages: z.array(z.string().min(1)).default([]).describe("Extra Debian packages. Default none."),
    recipe: z
      .string()
      .min(1)
      .optional()
      .describe("Host path of a JSON or YAML recipe: packages, files, setup (docs/environments.md)"),
  })
  .strict();
export type BuildEnvironmentInput = z.input<typeof BuildEnvironmentInputSchema>;

export const BuildResultSchema = z.object({
  environment: EnvironmentSchema,
  /** `built` (new name) or `rebuilt` (an earlier build of that name was replaced). */
  status: z.enum(["built", "rebuilt"]),
  durationMs: z.number(),
});
export type BuildResult = z.infer<typeof BuildResultSchema>;

export const PushEnvironmentInputSchema = z
  .object({
    name: EnvironmentName.describe("Installed environment to push (catalog or local)"),
    reference: z
      .string()
      .min(1)
      .describe("Registry reference with a tag, e.g. 127.0.0.1:5000/team/node-dev:1"),
  })
  .strict();
export type PushEnvironmentInput = z.input<typeof PushEnvironmentInputSchema>;

export const PushResultSchema = z.object({
  environment: z.string(),
  reference: z.string(),
  /** Digest of the pushed manifest: pull `REGISTRY/REPOSITORY@DIGEST` gets exactly this. */
  digest: z.string(),
  layers: z.array(
    z.object({
      role: z.enum(["kernel", "modules", "rootfs"]),
      digest: z.string(),
      size: z.number(),
      mediaType: z.string(),
      /** Bytes sent; 0 when the registry already had the blob. */
      uploadedBytes: z.number(),
    }),
  ),
  durationMs: z.number(),
});
export type PushResult = z.infer<typeof PushResultSchema>;
