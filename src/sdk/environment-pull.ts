/** `env pull` for the SDK: install (or verify, or repair) one environment. Loaded on first use. */
import type { PyroConfig } from "../core/config.js";
import { findCatalogEntry } from "../core/environments/catalog.js";
import { installEnvironment } from "../core/environments/install.js";
import type { PullProgressListener } from "../core/environments/progress.js";
import { environmentStatus } from "../core/environments/registry.js";
import { pullReference } from "../core/oci/pull.js";
import { isRegistryReference } from "../core/oci/reference.js";
import { environmentRecord } from "./records.js";
import { EnvironmentName } from "./schemas/common.js";
import type { PullResult } from "./schemas/environment.js";
import { validate } from "./validate.js";

/** See {@link Pyro.pullEnvironment}. */
export async function pullEnvironment(
  config: PyroConfig,
  name: string,
  options: { onProgress?: PullProgressListener; signal?: AbortSignal },
): Promise<PullResult> {
  const started = Date.now();
  if (isRegistryReference(validate(EnvironmentName, name))) {
    const r = await pullReference(config, name, options);
    const environment = environmentRecord(r.environment);
    return {
      environment,
      status: "installed",
      repairReason: null,
      durationMs: Date.now() - started,
      digest: r.digest,
    };
  }
  const entry = findCatalogEntry(name);
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
    repairReason: result.status === "repaired" ? (result.repairReason ?? null) : null,
    durationMs: Date.now() - started,
    digest: null,
  };
}
