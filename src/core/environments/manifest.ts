/** The install manifest of one environment version: what counts as a valid install. */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { sha256File } from "../fs-atomic.js";
import { cachePaths } from "../paths.js";

const ArtifactSchema = z.object({
  path: z.string(),
  sha256: z.string().length(64),
  size_bytes: z.number(),
  /** mtime when hashed, in ms since the epoch: unchanged mtime and size skip re-hashing on pull. */
  mtime_ms: z.number().optional(),
});

export const ManifestSchema = z.object({
  layout_version: z.literal(1),
  name: z.string(),
  version: z.string(),
  catalog_version: z.string(),
  installed_at: z.string(),
  source: z.enum(["local-build", "prebuilt"]),
  debian_mirror: z.string().optional(),
  kernel_key: z.string(),
  kernel_release: z.string(),
  kernel_build: z.record(z.string(), z.unknown()),
  packages: z.array(z.string()),
  artifacts: z.object({ kernel: ArtifactSchema, rootfs: ArtifactSchema }),
});

export type Manifest = z.infer<typeof ManifestSchema>;

export type InstallCheck =
  | { ok: true; manifest: Manifest }
  | { ok: false; reason: string; manifest?: Manifest };

/** Reads a manifest; undefined when missing or unparsable. */
export async function readManifest(envDir: string): Promise<Manifest | undefined> {
  const path = cachePaths.manifest(envDir);
  if (!existsSync(path)) return undefined;
  try {
    return ManifestSchema.parse(JSON.parse(await readFile(path, "utf8")));
  } catch {
    return undefined;
  }
}

/**
 * How hard to check an install: `quick` (presence and sizes; before every boot), `signature`
 * (also mtimes; an artifact whose mtime moved is re-hashed; `env pull`), `full` (re-hash
 * everything, about 2-7 s for a 2 GiB sparse rootfs; `env inspect`).
 */
export type CheckMode = "quick" | "signature" | "full";

/** Checks an install against its manifest. */
export async function checkInstall(envDir: string, mode: CheckMode): Promise<InstallCheck> {
  const manifest = await readManifest(envDir);
  if (!manifest) return { ok: false, reason: "manifest missing or unreadable" };
  for (const [role, artifact] of Object.entries(manifest.artifacts)) {
    const path = join(envDir, artifact.path);
    const st = await stat(path).catch(() => undefined);
    if (!st) return { ok: false, reason: `${role} artifact missing`, manifest };
    if (st.size !== artifact.size_bytes)
      return { ok: false, reason: `${role} artifact has the wrong size`, manifest };
    const rehash = mode === "full" || (mode === "signature" && st.mtimeMs !== artifact.mtime_ms);
    if (rehash && (await sha256File(path)) !== artifact.sha256) {
      return { ok: false, reason: `${role} artifact sha256 mismatch`, manifest };
    }
  }
  return { ok: true, manifest };
}
