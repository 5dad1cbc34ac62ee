/** The install manifest of one environment version: what counts as a valid install. */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import { sha256File } from "../fs-atomic.js";
import { cachePaths } from "../paths.js";
import type { ManifestSchema } from "./manifest-schema.js";

export type Manifest = z.infer<typeof ManifestSchema>;

export type InstallCheck =
  | { ok: true; manifest: Manifest }
  | { ok: false; reason: string; manifest?: Manifest };

/** Reads a manifest; undefined when missing or unparsable. */
export async function readManifest(envDir: string): Promise<Manifest | undefined> {
  const path = cachePaths.manifest(envDir);
  if (!existsSync(path)) return undefined;
  try {
    // The schema (and zod) loads here, not with this module: start-up of every command
    // imports this file, and only boots and `env` commands read a manifest.
    const { ManifestSchema } = await import("./manifest-schema.js");
    return ManifestSchema.parse(JSON.parse(await readFile(path, "utf8")));
  } catch {
    return undefined;
  }
}

/**
 * The rootfs sha256 recorded by any earlier manifest layout, so a layout change or a kernel
 * switch re-uses a rootfs that still matches instead of rebuilding it.
 */
export async function previousRootfsSha256(envDir: string): Promise<string | undefined> {
  try {
    const raw = JSON.parse(await readFile(cachePaths.manifest(envDir), "utf8")) as {
      artifacts?: { rootfs?: { sha256?: unknown } };
    };
    const sha = raw.artifacts?.rootfs?.sha256;
    return typeof sha === "string" && sha.length === 64 ? sha : undefined;
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
