/**
 * Environments as the SDK offers them: the catalog and local environments with install
 * status, inspect (every artifact re-hashed), pull (install, verify or repair; or a registry
 * reference), build, push and prune, answering with contract records (snake_case).
 */
import type * as R from "../../contract/records/environment.js";
import type { PyroConfig } from "../config.js";
import { isRegistryReference } from "../oci/reference.js";
import { CATALOG_VERSION, findCatalogEntry } from "./catalog.js";
import { resolveEnvironment } from "./local.js";
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
    local: status.local,
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

/** The catalog, then local environments, with install status (quick check; no hashing). */
export async function listEnvironmentRecords(config: PyroConfig): Promise<R.EnvironmentList> {
  const all = await listEnvironments(config.cacheDir);
  return { catalog_version: CATALOG_VERSION, environments: all.map(environmentRecord) };
}

/** One environment (catalog or local), every artifact re-hashed. @throws PyroError environment_not_found */
export async function inspectEnvironment(config: PyroConfig, name: string): Promise<R.Environment> {
  const entry = await resolveEnvironment(config.cacheDir, name);
  return environmentRecord(await environmentStatus(config.cacheDir, entry, "full"));
}

/**
 * Without `name`: removes stale or unused cache entries (valid local environments stay).
 * With `name`: removes that environment's install.
 * @throws PyroError environment_not_found (with `name`)
 */
export async function pruneEnvironments(config: PyroConfig, name?: string): Promise<R.PruneResult> {
  return pruneEnvironmentCache(config.cacheDir, name);
}

/** Progress and cancellation of a pull, build or push. */
export interface EnvironmentHooks {
  onProgress?: PullProgressListener;
  signal?: AbortSignal;
}

/**
 * Installs (or verifies, or repairs) one catalog environment; a registry reference
 * (`REGISTRY/REPOSITORY:TAG` or `@sha256:...`) installs a pushed pyro environment or a
 * container image as the local environment of that name, its manifest digest in `digest`.
 * @throws PyroError environment_not_found, environment_build_failed, host_dependency_missing,
 *   registry_unreachable, registry_auth_failed, registry_error, digest_mismatch
 */
export async function pullEnvironment(
  config: PyroConfig,
  name: string,
  options: EnvironmentHooks,
): Promise<R.PullResult> {
  const started = Date.now();
  if (isRegistryReference(name)) {
    const { pullReference } = await import("../oci/pull.js");
    const pulled = await pullReference(config, name, options);
    return {
      environment: environmentRecord(pulled.environment),
      status: "installed",
      repair_reason: null,
      duration_ms: Date.now() - started,
      digest: pulled.digest,
    };
  }
  const entry = findCatalogEntry(name);
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
    digest: null,
  };
}

/** What `env build` takes (contract/environment.ts, defaults filled). */
export interface BuildInput {
  name: string;
  from: string;
  packages: string[];
  /** Host path of a JSON or YAML recipe. */
  recipe?: string | undefined;
}

/**
 * Builds local environment `input.name` from a catalog one plus packages and a recipe.
 * @throws PyroError invalid_argument (bad or catalog name, bad recipe, unknown package),
 *   environment_not_found (`from`), environment_build_failed, host_dependency_missing
 */
export async function buildEnvironment(
  config: PyroConfig,
  input: BuildInput,
  options: EnvironmentHooks,
): Promise<R.BuildResult> {
  const { buildEnvironment: build } = await import("./build.js");
  const { name, from, packages, recipe } = input;
  const built = await build(config, { name, from, packages, recipeFile: recipe }, options);
  return {
    environment: environmentRecord(built.environment),
    status: built.replaced ? "rebuilt" : "built",
    duration_ms: built.durationMs,
  };
}

/**
 * Pushes installed environment `name` (catalog or local) to registry reference `reference` (a tag).
 * @throws PyroError invalid_argument, environment_not_found, environment_not_installed,
 *   registry_unreachable, registry_auth_failed, registry_error
 */
export async function pushEnvironment(
  config: PyroConfig,
  name: string,
  reference: string,
  options: EnvironmentHooks,
): Promise<R.PushResult> {
  const { pushEnvironment: push } = await import("../oci/pull.js");
  const pushed = await push(config, name, reference, options);
  return {
    environment: pushed.environment,
    reference: pushed.reference,
    digest: pushed.digest,
    layers: pushed.layers.map((l) => ({
      role: l.role,
      digest: l.digest,
      size: l.size,
      media_type: l.mediaType,
      uploaded_bytes: l.uploadedBytes,
    })),
    duration_ms: pushed.durationMs,
  };
}
