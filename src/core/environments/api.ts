/**
 * Environments as the SDK offers them: the catalog with install status, inspect (every
 * artifact re-hashed), pull (install, verify or repair) and prune, answering with contract
 * records (snake_case).
 */
import type * as R from "../../contract/records/environment.js";
import type { PyroConfig } from "../config.js";
import { CATALOG_VERSION, findCatalogEntry } from "./catalog.js";
import type { PullProgressListener } from "./progress.js";
import {
  type EnvironmentStatus,
  environmentStatus,
  listEnvironments,
  pruneEnvironmentCache,
} from "./registry.js";

/** The public record of an environment's install status. */
export function environmentRecord(status: EnvironmentStatus): R.Environment {
  const m = status.manifest;
  return {
    name: status.entry.name,
    version: status.entry.version,
    description: status.entry.description,
    installed: status.installed,
    install_dir: status.installDir,
    installed_at: m?.installed_at ?? null,
    kernel_release: m?.kernel_release ?? null,
    kernel: m
      ? {
          flavor: m.kernel_flavor,
          package: String(m.kernel_build.source_package ?? "unknown"),
          version: String(m.kernel_build.source_version ?? "unknown"),
        }
      : null,
    source: m?.source ?? null,
    problem: status.problem ?? null,
    artifacts: m
      ? Object.entries(m.artifacts).map(([role, a]) => ({
          role,
          path: `${status.installDir}/${a.path}`,
          sha256: a.sha256,
          size_bytes: a.size_bytes,
        }))
      : [],
  };
}

/** The catalog with install status (quick check; no hashing). */
export async function listEnvironmentRecords(config: PyroConfig): Promise<R.EnvironmentList> {
  const all = await listEnvironments(config.cacheDir);
  return { catalog_version: CATALOG_VERSION, environments: all.map(environmentRecord) };
}

/** One environment, every artifact re-hashed. @throws PyroError environment_not_found */
export async function inspectEnvironment(config: PyroConfig, name: string): Promise<R.Environment> {
  return environmentRecord(await environmentStatus(config.cacheDir, findCatalogEntry(name), "full"));
}

/** Removes stale or unused cache entries. */
export async function pruneEnvironments(config: PyroConfig): Promise<R.PruneResult> {
  return pruneEnvironmentCache(config.cacheDir);
}

/**
 * Installs (or verifies, or repairs) one environment.
 * @throws PyroError environment_not_found, environment_build_failed, host_dependency_missing
 */
export async function pullEnvironment(
  config: PyroConfig,
  name: string,
  options: { onProgress?: PullProgressListener; signal?: AbortSignal },
): Promise<R.PullResult> {
  const entry = findCatalogEntry(name);
  const started = Date.now();
  const { installEnvironment } = await import("./install.js");
  const result = await installEnvironment(entry, {
    cacheDir: config.cacheDir,
    debianMirror: config.debianMirror,
    kernelFlavor: config.kernelFlavor,
    kernelPackage: config.kernelPackage,
    kernelSourceVersion: config.kernelSourceVersion,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  return {
    environment: environmentRecord(await environmentStatus(config.cacheDir, entry, "quick")),
    status: result.status,
    repair_reason: result.status === "repaired" ? (result.repairReason ?? null) : null,
    duration_ms: Date.now() - started,
  };
}
