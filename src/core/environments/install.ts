/**
 * `env pull`: makes one environment version installed and verified. Where no prebuilt
 * artifact is reachable (always, today) the rootfs is built locally with mmdebstrap and
 * `mkfs.ext4 -d` (no loop mounts); the kernel is Debian's prebuilt cloud kernel (or, with
 * `PYRO_KERNEL=custom`, one compiled from Debian's linux-source package).
 * A partial or corrupt install is repaired: only the broken artifacts are rebuilt.
 */
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { PyroConfig } from "../config.js";
import { sha256File, writeJsonAtomic } from "../fs-atomic.js";
import { withLock } from "../lock.js";
import { cachePaths, environmentSlug, packagePaths } from "../paths.js";
import { runProgram } from "../process-run.js";
import { CATALOG_VERSION, type CatalogEntry } from "./catalog.js";
import { ensureKernel, type KernelArtifact, type KernelFlavor, kernelKey } from "./kernel.js";
import { checkInstall, type Manifest, previousRootfsSha256 } from "./manifest.js";
import { MANIFEST_LAYOUT_VERSION } from "./manifest-schema.js";
import { resolveDebianMirror } from "./mirror.js";
import { type PullPhase, type PullProgressListener, phaseFraction, phaseFromScriptLine } from "./progress.js";

export interface InstallOptions {
  cacheDir: string;
  debianMirror: string | undefined;
  kernelFlavor: KernelFlavor;
  kernelSourceVersion: string | undefined;
  kernelPackage: string | undefined;
  onProgress?: PullProgressListener;
  signal?: AbortSignal;
}

/** The install options of `config` (cache, mirror, kernel choice). */
export function installOptionsFrom(
  config: PyroConfig,
  extra: { onProgress?: PullProgressListener | undefined; signal?: AbortSignal | undefined } = {},
): InstallOptions {
  return {
    cacheDir: config.cacheDir,
    debianMirror: config.debianMirror,
    kernelFlavor: config.kernelFlavor,
    kernelPackage: config.kernelPackage,
    kernelSourceVersion: config.kernelSourceVersion,
    ...(extra.onProgress ? { onProgress: extra.onProgress } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
  };
}

export interface InstallResult {
  manifest: Manifest;
  installDir: string;
  /** `already_installed` (verified, nothing done), `installed` (fresh) or `repaired`. */
  status: "already_installed" | "installed" | "repaired";
  /** Why a repair was needed, when `status` is `repaired`. */
  repairReason?: string;
}

/** The package list of catalog environment `slug` (images/rootfs/<slug>.packages). */
export async function packageList(slug: string): Promise<string[]> {
  const text = await readFile(packagePaths.rootfsPackageList(slug), "utf8");
  return text
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter(Boolean);
}

/** The manifest's `artifacts` of an install dir: every file hashed now. */
export async function artifactRecords(dir: string): Promise<Manifest["artifacts"]> {
  return {
    kernel: await artifactRecord(dir, "vmlinux"),
    modules: await artifactRecord(dir, "modules.cpio"),
    rootfs: await artifactRecord(dir, "rootfs.ext4"),
  };
}

async function artifactRecord(dir: string, name: string) {
  const path = join(dir, name);
  const sha256 = await sha256File(path);
  const st = await stat(path);
  return { path: name, sha256, size_bytes: st.size, mtime_ms: st.mtimeMs };
}

/** A verified install counts only if it was made with the kernel this host would use now. */
async function currentCheck(dir: string, key: string) {
  const check = await checkInstall(dir, "signature");
  if (check.ok && check.manifest.kernel_key !== key) {
    return {
      ok: false as const,
      reason: "kernel changed (new package version, recipe or flavor)",
      manifest: check.manifest,
    };
  }
  return check;
}

/** Hard-links (or copies) a cached kernel artifact into the install unless it already matches. */
async function placeArtifact(source: string, target: string, sha256: string): Promise<void> {
  const ok = await sha256File(target).then(
    (h) => h === sha256,
    () => false,
  );
  if (ok) return;
  await rm(target, { force: true });
  await link(source, target).catch(() => copyFile(source, target));
}

/**
 * Puts the kernel this host uses now (`key`; fetched or built into the kernel cache on first
 * use) into install dir `dir`, hard-linked where possible.
 */
export async function placeHostKernel(
  dir: string,
  options: Pick<
    InstallOptions,
    "cacheDir" | "kernelFlavor" | "kernelSourceVersion" | "kernelPackage" | "signal"
  >,
  key: string,
  report: (phase: PullPhase) => void,
): Promise<KernelArtifact> {
  report("kernel");
  const kernel = await ensureKernel(options.cacheDir, {
    key,
    flavor: options.kernelFlavor,
    sourceVersion: options.kernelSourceVersion,
    debianPackage: options.kernelPackage,
    signal: options.signal,
    onLine: (line) => {
      const phase = phaseFromScriptLine(line);
      if (phase) report(phase);
    },
  });
  await placeArtifact(kernel.vmlinuxPath, cachePaths.kernel(dir), kernel.vmlinuxSha256);
  await placeArtifact(kernel.modulesPath, cachePaths.modules(dir), kernel.modulesSha256);
  return kernel;
}

/** The manifest fields that describe `kernel`. */
export function kernelFields(kernel: KernelArtifact) {
  return {
    kernel_key: kernel.key,
    kernel_flavor: kernel.flavor,
    kernel_release: kernel.release,
    kernel_device_discovery: kernel.deviceDiscovery,
    kernel_build: kernel.build,
  };
}

/** Installs (or verifies, or repairs) `entry` in the cache. */
export async function installEnvironment(
  entry: CatalogEntry,
  options: InstallOptions,
): Promise<InstallResult> {
  const dir = cachePaths.environmentDir(options.cacheDir, entry.name, entry.version);
  const report = (phase: PullPhase, detail?: string) =>
    options.onProgress?.({ phase, environment: entry.name, fraction: phaseFraction(phase), detail });
  report("verify");
  // One apt query per pull: the key is computed once and shared by both checks and the fetch.
  const key = await kernelKey(options.kernelFlavor, options.kernelPackage);
  const first = await currentCheck(dir, key);
  if (first.ok) return { manifest: first.manifest, installDir: dir, status: "already_installed" };

  return withLock(
    dir,
    async () => {
      const check = await currentCheck(dir, key);
      if (check.ok)
        return { manifest: check.manifest, installDir: dir, status: "already_installed" as const };
      const previousRootfs = await previousRootfsSha256(dir);
      const existed = existsSync(dir);
      await mkdir(dir, { recursive: true, mode: 0o755 });
      // The manifest goes first: without it nothing counts as installed while we rebuild.
      await rm(cachePaths.manifest(dir), { force: true });

      report("resolve");
      const slug = environmentSlug(entry.name);
      const packages = await packageList(slug);
      const mirror = await resolveDebianMirror(entry.suite, options.debianMirror);

      const kernel = await placeHostKernel(dir, options, key, report);

      const rootfsPath = cachePaths.rootfs(dir);
      const rootfsOk =
        previousRootfs !== undefined &&
        (await sha256File(rootfsPath).then(
          (h) => h === previousRootfs,
          () => false,
        ));
      if (!rootfsOk) {
        report("bootstrap");
        await rm(rootfsPath, { force: true });
        await runProgram(["bash", packagePaths.rootfsBuildScript, slug, rootfsPath, mirror], {
          errorCode: "environment_build_failed",
          signal: options.signal,
          onLine: (line) => {
            const phase = phaseFromScriptLine(line);
            if (phase) report(phase);
          },
        });
      }

      report("install");
      const manifest: Manifest = {
        layout_version: MANIFEST_LAYOUT_VERSION,
        name: entry.name,
        version: entry.version,
        catalog_version: CATALOG_VERSION,
        installed_at: new Date().toISOString(),
        source: "local-build",
        debian_mirror: mirror,
        ...kernelFields(kernel),
        packages,
        artifacts: await artifactRecords(dir),
      };
      await writeJsonAtomic(cachePaths.manifest(dir), manifest, 0o644);
      report("done");
      return {
        manifest,
        installDir: dir,
        status: existed ? ("repaired" as const) : ("installed" as const),
        repairReason: first.reason,
      };
    },
    { waitMs: 60 * 60_000 },
  );
}
