/**
 * The guest kernel, in one of two flavors (`PYRO_KERNEL`):
 * - `debian` (default): Debian's prebuilt cloud kernel (`linux-image-*-cloud-amd64`), fetched
 *   with apt and unpacked into the cache by images/kernel/debian.sh in seconds; it gets
 *   Debian's security updates through apt. Its virtio drivers are modules, carried by the
 *   initramfs (`modules.cpio`); its devices are found through ACPI.
 * - `custom`: an all-built-in kernel compiled from Debian's `linux-source-6.1` with the
 *   fragment in images/kernel/ (about 10 min on 2 cores); boots faster, with `acpi=off`.
 * Each lives under `<cache>/kernels/<key>/` with `vmlinux`, `modules.cpio` and a manifest of
 * sha256s; the key names every input, so a new package version or recipe means a new kernel.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import { sha256File, writeJsonAtomic } from "../fs-atomic.js";
import { withLock } from "../lock.js";
import { cachePaths, packagePaths } from "../paths.js";
import { runProgram } from "../process-run.js";

export type KernelFlavor = "debian" | "custom";

/** How the guest finds its virtio-mmio devices: ACPI tables, or `virtio_mmio.device=` arguments. */
export type DeviceDiscovery = "acpi" | "cmdline";

export interface KernelArtifact {
  key: string;
  flavor: KernelFlavor;
  /** Uncompressed ELF with a PVH entry. */
  vmlinuxPath: string;
  vmlinuxSha256: string;
  /** newc cpio of the kernel modules the initramfs loads (empty for `custom`). */
  modulesPath: string;
  modulesSha256: string;
  release: string;
  deviceDiscovery: DeviceDiscovery;
  /** Provenance written by the build script (package, version, .deb sha256, ...). */
  build: Record<string, unknown>;
}

/**
 * Bump when a build script changes what it produces (inputs such as the config fragment and
 * the module list are hashed on their own).
 */
export const KERNEL_RECIPE_REVISION = { debian: 1, custom: 2 } as const;

/** The Debian package the cloud metapackage points at, with its candidate version. */
export interface DebianKernelPackage {
  name: string;
  version: string;
}

/**
 * The kernel package and version from `apt-cache show --no-all-versions` output: for the cloud
 * metapackage, the `linux-image-<release>-cloud-amd64 (= VERSION)` it depends on; for a pinned
 * package (`pinned`), its own `Version:`.
 */
export function parseAptKernelShow(text: string, pinned?: string): DebianKernelPackage | undefined {
  if (pinned) {
    const version = /^Version:\s*(\S+)/m.exec(text)?.[1];
    return version ? { name: pinned, version } : undefined;
  }
  const m = /^Depends:.*?\b(linux-image-\d\S*) \(= ([^)\s]+)\)/m.exec(text);
  return m?.[1] && m[2] ? { name: m[1], version: m[2] } : undefined;
}

/**
 * Asks apt which cloud kernel package and version it would install (one `apt-cache` call, no
 * download; about 1 s, most of it apt loading its cache).
 * @throws PyroError environment_build_failed when apt offers none
 */
export async function resolveDebianKernelPackage(pinned?: string): Promise<DebianKernelPackage> {
  const show = await runProgram([
    "apt-cache",
    "show",
    "--no-all-versions",
    pinned ?? "linux-image-cloud-amd64",
  ]).catch(() => undefined);
  const pkg = parseAptKernelShow(show?.stdout ?? "", pinned);
  if (!pkg) {
    throw new PyroError("environment_build_failed", "apt does not offer Debian's cloud kernel package", {
      hint: "run `apt-get update` (Debian 12 host), or set PYRO_KERNEL=custom to compile one",
    });
  }
  return pkg;
}

async function recipeHash(files: string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of files) hash.update(await readFile(file));
  return hash.digest("hex").slice(0, 12);
}

/**
 * Cache key of the kernel `flavor` would use now: `debian-<version>-r<rev>-<sha12>` (the
 * package version apt offers) or `linux-6.1-r<rev>-<sha12 of the config fragment>`.
 * @throws PyroError environment_build_failed when apt cannot name a Debian kernel
 */
export async function kernelKey(flavor: KernelFlavor, pinnedPackage?: string): Promise<string> {
  if (flavor === "custom") {
    const hash = await recipeHash([packagePaths.kernelConfigFragment]);
    return `linux-6.1-r${KERNEL_RECIPE_REVISION.custom}-${hash}`;
  }
  const pkg = await resolveDebianKernelPackage(pinnedPackage);
  const hash = await recipeHash([packagePaths.debianKernelScript, packagePaths.debianModuleList]);
  const version = `${pkg.name.replace(/^linux-image-/, "")}_${pkg.version}`.replace(/[^\w.-]/g, "-");
  return `debian-${version}-r${KERNEL_RECIPE_REVISION.debian}-${hash}`;
}

interface KernelManifest {
  flavor: KernelFlavor;
  sha256: string;
  modules_sha256: string;
  release: string;
  device_discovery: DeviceDiscovery;
  build: Record<string, unknown>;
}

/** The cached kernel under `key`, only if both artifacts still match their sha256. */
async function readVerified(dir: string, key: string): Promise<KernelArtifact | undefined> {
  const manifestPath = join(dir, "manifest.json");
  const vmlinuxPath = cachePaths.kernel(dir);
  const modulesPath = cachePaths.modules(dir);
  if (!existsSync(manifestPath) || !existsSync(vmlinuxPath) || !existsSync(modulesPath)) return undefined;
  try {
    const m = JSON.parse(await readFile(manifestPath, "utf8")) as KernelManifest;
    if ((await sha256File(vmlinuxPath)) !== m.sha256) return undefined;
    if ((await sha256File(modulesPath)) !== m.modules_sha256) return undefined;
    return {
      key,
      flavor: m.flavor,
      vmlinuxPath,
      vmlinuxSha256: m.sha256,
      modulesPath,
      modulesSha256: m.modules_sha256,
      release: m.release,
      deviceDiscovery: m.device_discovery,
      build: m.build,
    };
  } catch {
    return undefined;
  }
}

export interface EnsureKernelOptions {
  flavor: KernelFlavor;
  /** The cache key when the caller already has it ({@link kernelKey}); computed otherwise. */
  key?: string;
  /** `custom`: Debian version of linux-source-6.1 to pin (PYRO_KERNEL_SOURCE_VERSION). */
  sourceVersion?: string;
  /** `debian`: the linux-image package to use instead of the cloud metapackage's (PYRO_KERNEL_PACKAGE). */
  debianPackage?: string;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Returns the cached kernel, fetching (debian, seconds) or building (custom, about 10 min on
 * 2 cores) it first when missing or corrupt. Concurrent callers wait on one build.
 * @throws PyroError environment_build_failed when the script fails or its output does not verify
 */
export async function ensureKernel(cacheDir: string, options: EnsureKernelOptions): Promise<KernelArtifact> {
  const key = options.key ?? (await kernelKey(options.flavor, options.debianPackage));
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
      if (options.debianPackage) env.PYRO_KERNEL_PACKAGE = options.debianPackage;
      const script =
        options.flavor === "debian" ? packagePaths.debianKernelScript : packagePaths.kernelBuildScript;
      await runProgram(["bash", script, dir], {
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
        flavor: options.flavor,
        sha256: await sha256File(cachePaths.kernel(dir)),
        modules_sha256: await sha256File(cachePaths.modules(dir)),
        release: String(build.kernel_release ?? "unknown"),
        device_discovery: build.device_discovery === "acpi" ? "acpi" : "cmdline",
        build,
      };
      await writeJsonAtomic(join(dir, "manifest.json"), manifest, 0o644);
      const built = await readVerified(dir, key);
      if (!built) throw new PyroError("environment_build_failed", `kernel in "${dir}" did not verify`);
      return built;
    },
    { waitMs: 40 * 60_000 },
  );
}

/** Keys of the kernels in the cache (for prune), including unfinished ones. */
export async function cachedKernelKeys(cacheDir: string): Promise<string[]> {
  const names = await readdir(join(cacheDir, "kernels")).catch(() => [] as string[]);
  return names.filter(
    (n) => /^(linux|debian)-[\w.-]+$/.test(n) && !n.includes(".work.") && !n.endsWith(".lock"),
  );
}
