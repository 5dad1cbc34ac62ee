/** Reads the environment cache: list, inspect, quick boot check and prune. */
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type * as R from "../../contract/records/environment.js";
import { PyroError } from "../../errors.js";
import { withLock } from "../lock.js";
import { cachePaths, environmentSlug } from "../paths.js";
import { CATALOG, type CatalogEntry } from "./catalog.js";
import { cachedKernelKeys } from "./kernel.js";
import {
  installDirOf,
  isLocalEntry,
  localEntries,
  localInstallDirs,
  resolveEnvironment,
  TEMP_MARK,
} from "./local.js";
import { type CheckMode, checkInstall, type Manifest } from "./manifest.js";

export interface EnvironmentStatus {
  entry: CatalogEntry;
  /** Built (`env build`) or pulled (`env pull REF`) here rather than from the catalog. */
  local: boolean;
  installed: boolean;
  installDir: string;
  manifest?: Manifest;
  /** Why an existing install does not count (e.g. "rootfs artifact missing"). */
  problem?: string;
}

/** Status of every catalog entry, then every local environment (quick check). */
export async function listEnvironments(
  cacheDir: string,
  mode: CheckMode = "quick",
): Promise<EnvironmentStatus[]> {
  const entries = [...CATALOG, ...(await localEntries(cacheDir))];
  return Promise.all(entries.map((entry) => environmentStatus(cacheDir, entry, mode)));
}

export async function environmentStatus(cacheDir: string, entry: CatalogEntry, mode: CheckMode) {
  const installDir = installDirOf(cacheDir, entry);
  const check = await checkInstall(installDir, mode);
  const status: EnvironmentStatus = { entry, local: isLocalEntry(entry), installed: check.ok, installDir };
  if (check.manifest) status.manifest = check.manifest;
  if (!check.ok && check.reason !== "manifest missing or unreadable") status.problem = check.reason;
  return status;
}

/** Paths of an installed environment, for booting. */
export interface BootArtifacts {
  environment: string;
  version: string;
  kernelPath: string;
  /** newc cpio of the kernel's modules; the boot initramfs is this plus the agent. */
  modulesPath: string;
  modulesSha256: string;
  deviceDiscovery: "acpi" | "cmdline";
  rootfsPath: string;
  rootfsSha256: string;
  manifest: Manifest;
}

/**
 * Returns the boot artifacts of an installed environment (quick check).
 * @throws PyroError environment_not_found, environment_not_installed
 */
export async function requireInstalled(cacheDir: string, name: string): Promise<BootArtifacts> {
  const entry = await resolveEnvironment(cacheDir, name);
  const status = await environmentStatus(cacheDir, entry, "quick");
  if (!status.installed || !status.manifest) {
    throw new PyroError(
      "environment_not_installed",
      `environment "${name}" is not installed${status.problem ? ` (${status.problem})` : ""}`,
      { details: { environment: name }, hint: `run \`pyro env pull ${name}\`` },
    );
  }
  return {
    environment: name,
    version: entry.version,
    kernelPath: cachePaths.kernel(status.installDir),
    modulesPath: cachePaths.modules(status.installDir),
    modulesSha256: status.manifest.artifacts.modules.sha256,
    deviceDiscovery: status.manifest.kernel_device_discovery,
    rootfsPath: cachePaths.rootfs(status.installDir),
    rootfsSha256: status.manifest.artifacts.rootfs.sha256,
    manifest: status.manifest,
  };
}

/** Allocated bytes of a path tree (sparse images count what they really use). */
export async function diskUsage(path: string): Promise<number> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.blocks * 512;
  let total = 0;
  for (const name of await readdir(path)) total += await diskUsage(join(path, name));
  return total;
}

/** True for a directory pyro created as an environment install (manifest or an artifact in it). */
async function isPyroInstallDir(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.some(
    (n) =>
      n === "manifest.json" ||
      n === "rootfs.ext4" ||
      n === "vmlinux" ||
      n === "modules.cpio" ||
      n.startsWith("rootfs.ext4."),
  );
}

/** What a prune removed (contract/records/environment.ts). */
export type PruneResult = R.PruneResult;

/** Registry blobs older than this are left-overs of an abandoned pull (a live one keeps writing). */
const BLOB_IDLE_MS = 60 * 60_000;

/**
 * Without `name`: removes cache entries nothing current uses: old catalog versions, unknown
 * names, broken installs (catalog or local), left-overs of failed builds and pulls, kernels no
 * install references, and every VM template; valid local environments stay. With `name`:
 * removes that one environment's install (catalog or local). Installs being pulled or built and
 * templates being built are skipped (their lock is held).
 * @throws PyroError environment_not_found (with `name`)
 */
export async function pruneEnvironmentCache(cacheDir: string, name?: string): Promise<PruneResult> {
  const result: PruneResult = { removed: [], bytes_freed: 0 };
  const removeDir = async (path: string, lockPath = path) => {
    const bytes = await diskUsage(path);
    await withLock(lockPath, () => rm(path, { recursive: true, force: true }), { waitMs: 500 }).then(
      () => {
        result.removed.push(path);
        result.bytes_freed += bytes;
      },
      () => undefined, // locked: a pull or build is running there
    );
  };
  if (name !== undefined) {
    const dir = installDirOf(cacheDir, await resolveEnvironment(cacheDir, name));
    if (await isPyroInstallDir(dir)) await removeDir(dir);
    await pruneTemplates(cachePaths.templatesDir(cacheDir), [environmentSlug(name)], removeDir);
    return result;
  }
  const keepKernels = new Set<string>();
  const current = new Map(CATALOG.map((e) => [environmentSlug(e.name), e]));
  for (const slug of await readdir(cacheDir).catch(() => [] as string[])) {
    if (["kernels", "host", "local", "oci", "templates"].includes(slug) || slug.endsWith(".lock")) continue;
    const entry = current.get(slug);
    const root = join(cacheDir, slug);
    for (const version of await readdir(root).catch(() => [] as string[])) {
      if (version.endsWith(".lock")) continue;
      const dir = join(root, version);
      // Only ever touch what pyro made: an install dir holds its manifest or artifacts.
      if (!(await isPyroInstallDir(dir))) continue;
      const check = await checkInstall(dir, "quick");
      if (entry && version === entry.version && check.ok) {
        keepKernels.add(check.manifest.kernel_key);
        continue;
      }
      await removeDir(dir);
    }
  }
  await pruneLocal(cacheDir, keepKernels, removeDir);
  // Only pyro's kernel dirs (no locks, no in-progress `<key>.work.*`) that no install uses.
  for (const key of await cachedKernelKeys(cacheDir)) {
    if (keepKernels.has(key)) continue;
    // A kernel not yet referenced may belong to a pull in progress; the lock protects it.
    await removeDir(cachePaths.kernelDir(cacheDir, key));
  }
  const templates = cachePaths.templatesDir(cacheDir);
  await pruneTemplates(templates, await readdir(templates).catch(() => [] as string[]), removeDir);
  return result;
}

/** VM templates of these environment slugs: rebuilt on first need; one being built (its lock held) is kept. */
async function pruneTemplates(
  templates: string,
  slugs: string[],
  removeDir: (path: string) => Promise<void>,
): Promise<void> {
  for (const env of slugs) {
    for (const key of await readdir(join(templates, env)).catch(() => [] as string[])) {
      if (!key.endsWith(".lock")) await removeDir(join(templates, env, key));
    }
  }
}

/** The local half of a prune: broken installs, temporary dirs of dead builds, stale blobs. */
async function pruneLocal(
  cacheDir: string,
  keepKernels: Set<string>,
  removeDir: (path: string, lockPath?: string) => Promise<void>,
): Promise<void> {
  for (const dir of await localInstallDirs(cacheDir)) {
    const check = await checkInstall(dir, "quick");
    if (check.ok) keepKernels.add(check.manifest.kernel_key);
    else if (await isPyroInstallDir(dir)) await removeDir(dir);
  }
  const localRoot = cachePaths.localEnvironmentsDir(cacheDir);
  for (const n of await readdir(localRoot).catch(() => [] as string[])) {
    const at = n.indexOf(TEMP_MARK);
    // A temporary dir belongs to the install named before the mark, whose lock its builder holds.
    if (at > 0 && !n.endsWith(".lock")) await removeDir(join(localRoot, n), join(localRoot, n.slice(0, at)));
  }
  const blobs = cachePaths.blobDir(cacheDir);
  for (const n of await readdir(blobs).catch(() => [] as string[])) {
    const st = await stat(join(blobs, n)).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > BLOB_IDLE_MS) await removeDir(join(blobs, n));
  }
}
