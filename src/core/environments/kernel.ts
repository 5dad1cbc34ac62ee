/**
 * The guest kernel: built once per host from Debian's `linux-source-6.1` with the config
 * fragment in images/kernel/, cached under `<cache>/kernels/<key>/` where the key hashes the
 * fragment and the build script, so a recipe change means a new kernel, never a stale one.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import { sha256File, writeJsonAtomic } from "../fs-atomic.js";
import { withLock } from "../lock.js";
import { cachePaths, packagePaths } from "../paths.js";
import { runProgram } from "../process-run.js";

export interface KernelArtifact {
  key: string;
  path: string;
  sha256: string;
  release: string;
  build: Record<string, unknown>;
}

/**
 * Bump when images/kernel/build.sh changes what it produces (the config fragment is hashed
 * on its own), so a recipe change means a new kernel and cosmetic edits do not.
 */
export const KERNEL_RECIPE_REVISION = 1;

/** Cache key of the kernel recipe: `linux-6.1-r<revision>-<sha12 of the config fragment>`. */
export async function kernelKey(): Promise<string> {
  const hash = createHash("sha256").update(await readFile(packagePaths.kernelConfigFragment));
  return `linux-6.1-r${KERNEL_RECIPE_REVISION}-${hash.digest("hex").slice(0, 12)}`;
}

interface KernelManifest {
  sha256: string;
  release: string;
  build: Record<string, unknown>;
}

async function readVerified(dir: string, key: string): Promise<KernelArtifact | undefined> {
  const manifestPath = join(dir, "manifest.json");
  const vmlinux = join(dir, "vmlinux");
  if (!existsSync(manifestPath) || !existsSync(vmlinux)) return undefined;
  try {
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as KernelManifest;
    if ((await sha256File(vmlinux)) !== manifest.sha256) return undefined;
    return { key, path: vmlinux, sha256: manifest.sha256, release: manifest.release, build: manifest.build };
  } catch {
    return undefined;
  }
}

/**
 * Returns the cached kernel, building it first when missing or corrupt (about 10 min on 2
 * cores). Concurrent callers wait on one build.
 * @throws PyroError environment_build_failed when the build script fails.
 */
export async function ensureKernel(
  cacheDir: string,
  options: { sourceVersion?: string; onLine?: (line: string) => void; signal?: AbortSignal },
): Promise<KernelArtifact> {
  const key = await kernelKey();
  const dir = cachePaths.kernelDir(cacheDir, key);
  const cached = await readVerified(dir, key);
  if (cached) return cached;
  return withLock(
    dir,
    async () => {
      const again = await readVerified(dir, key);
      if (again) return again;
      await rm(join(dir, "manifest.json"), { force: true });
      const env = { ...process.env };
      if (options.sourceVersion) env.PYRO_KERNEL_SOURCE_VERSION = options.sourceVersion;
      await runProgram(["bash", packagePaths.kernelBuildScript, dir], {
        env,
        onLine: options.onLine,
        errorCode: "environment_build_failed",
        signal: options.signal,
      });
      const build = JSON.parse(await readFile(join(dir, "kernel-build.json"), "utf8")) as Record<
        string,
        unknown
      >;
      const manifest: KernelManifest = {
        sha256: await sha256File(join(dir, "vmlinux")),
        release: String(build.kernel_release ?? "unknown"),
        build,
      };
      await writeJsonAtomic(join(dir, "manifest.json"), manifest, 0o644);
      const built = await readVerified(dir, key);
      if (!built) throw new PyroError("environment_build_failed", `kernel build in "${dir}" did not verify`);
      return built;
    },
    { waitMs: 40 * 60_000 },
  );
}
