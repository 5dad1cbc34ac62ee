/**
 * `env pull REF` / `env push NAME REF`: environments through an OCI registry. A pull resolves
 * the reference to a manifest (an index picks linux/amd64), checks its digest, and installs
 * either a pyro environment artifact (artifact.ts) or an ordinary container image (image.ts)
 * as local environment `REF`. Every blob is verified before anything is installed.
 */
import { rm } from "node:fs/promises";
import { PyroError } from "../../errors.js";
import type { PyroConfig } from "../config.js";
import { artifactRecords } from "../environments/install.js";
import {
  installDirOf,
  installLocal,
  LOCAL_VERSION,
  localEntry,
  resolveEnvironment,
} from "../environments/local.js";
import { checkInstall, type Manifest } from "../environments/manifest.js";
import { type EnvironmentStatus, environmentStatus } from "../environments/registry.js";
import { layerRole, type PushedLayer, PYRO_CONFIG, pushArtifact, unpackArtifact } from "./artifact.js";
import { registryClient as client, fetchAll, type Hooks, resolveManifest } from "./manifests.js";
import { parseReference } from "./reference.js";

export interface PullOutcome {
  environment: EnvironmentStatus;
  kind: "artifact" | "image";
  digest: string;
}

/**
 * Installs registry reference `text` as local environment `text`.
 * @throws PyroError invalid_argument, environment_not_found, registry_unreachable,
 *   registry_auth_failed, registry_error, digest_mismatch, path_outside_workspace (image layers)
 */
export async function pullReference(
  config: PyroConfig,
  text: string,
  hooks: Hooks = {},
): Promise<PullOutcome> {
  const ref = parseReference(text);
  const report = (phase: "resolve" | "unpack" | "install" | "done", fraction: number) =>
    hooks.onProgress?.({ phase, environment: text, fraction });
  report("resolve", 0);
  const c = client(config, ref, "pull");
  const { json, digest } = await resolveManifest(c, hooks.signal);
  if (!json.config || !Array.isArray(json.layers))
    throw new PyroError("registry_error", `${text} is not an image or pyro environment`);
  if (json.config.mediaType !== PYRO_CONFIG) {
    const { installImage } = await import("./image.js");
    const manifest = await installImage(config, c, json, digest, hooks);
    report("done", 1);
    return {
      environment: await environmentStatus(config.cacheDir, localEntry(manifest), "quick"),
      kind: "image",
      digest,
    };
  }
  const [configPath, ...layerPaths] = await fetchAll(c, config, [json.config, ...json.layers], hooks, text);
  const { ManifestSchema } = await import("../environments/manifest-schema.js");
  const { readFile } = await import("node:fs/promises");
  const parsed = ManifestSchema.safeParse(JSON.parse(await readFile(configPath as string, "utf8")));
  if (!parsed.success)
    throw new PyroError("registry_error", `${text} carries no valid pyro environment manifest`);
  const pushed = parsed.data;
  const roles = json.layers.map((l) => layerRole(l.mediaType));
  if (roles.some((r) => !r) || new Set(roles.map((r) => r?.role)).size !== 3) {
    throw new PyroError("registry_error", `${text} must carry exactly one kernel, modules and rootfs layer`);
  }
  report("unpack", 0.85);
  const { manifest } = await installLocal(config.cacheDir, text, async (dir) => {
    for (const [i, r] of roles.entries()) {
      if (!r) continue;
      await unpackArtifact(
        layerPaths[i] as string,
        r.zstd,
        r.role,
        dir,
        pushed.artifacts[r.role].sha256,
        hooks.signal,
      );
    }
    report("install", 0.97);
    return {
      ...pushed,
      name: text,
      version: LOCAL_VERSION,
      installed_at: new Date().toISOString(),
      source: "oci-artifact",
      description: pushed.description ?? `pyro environment ${pushed.name} pulled from ${text}`,
      oci: { reference: text, digest },
      artifacts: await artifactRecords(dir),
    } satisfies Manifest;
  });
  for (const p of [configPath, ...layerPaths]) if (p) await rm(p, { force: true });
  report("done", 1);
  return {
    environment: await environmentStatus(config.cacheDir, localEntry(manifest), "quick"),
    kind: "artifact",
    digest,
  };
}

export interface PushOutcome {
  environment: string;
  reference: string;
  digest: string;
  layers: PushedLayer[];
  durationMs: number;
}

/**
 * Pushes installed environment `name` (catalog or local) to registry reference `text` (a tag).
 * @throws PyroError invalid_argument, environment_not_found, environment_not_installed,
 *   registry_unreachable, registry_auth_failed, registry_error
 */
export async function pushEnvironment(
  config: PyroConfig,
  name: string,
  text: string,
  hooks: Hooks = {},
): Promise<PushOutcome> {
  const started = Date.now();
  const ref = parseReference(text);
  if (!ref.tag || ref.digest) {
    throw new PyroError("invalid_argument", `push needs a tag, not a digest: "${text}"`, {
      hint: "write REGISTRY/REPOSITORY:TAG",
    });
  }
  const dir = installDirOf(config.cacheDir, await resolveEnvironment(config.cacheDir, name));
  // Mtimes checked and moved files re-hashed: a pushed layer is never something else than the manifest says.
  const check = await checkInstall(dir, "signature");
  if (!check.ok)
    throw new PyroError(
      "environment_not_installed",
      `environment "${name}" does not verify (${check.reason})`,
      { hint: `run \`pyro env pull ${name}\`` },
    );
  hooks.onProgress?.({ phase: "upload", environment: name, fraction: 0 });
  const { digest, layers } = await pushArtifact(
    client(config, ref, "pull,push"),
    config.cacheDir,
    dir,
    check.manifest,
    ref.tag,
    {
      signal: hooks.signal,
      onBytes: (done, total) =>
        hooks.onProgress?.({
          phase: "upload",
          environment: name,
          fraction: done / Math.max(total, 1),
          detail: `${done}/${total} bytes`,
        }),
    },
  );
  hooks.onProgress?.({ phase: "done", environment: name, fraction: 1 });
  return { environment: name, reference: text, digest, layers, durationMs: Date.now() - started };
}
