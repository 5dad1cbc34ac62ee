/**
 * `env pull REF` / `env push NAME REF`: environments through an OCI registry. A pull resolves
 * the reference to a manifest (an index picks linux/amd64), checks its digest, and installs
 * either a pyro environment artifact (artifact.ts) or an ordinary container image (image.ts)
 * as local environment `REF`. Every blob is verified before anything is installed.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
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
import type { PullProgressListener } from "../environments/progress.js";
import { type EnvironmentStatus, environmentStatus } from "../environments/registry.js";
import { withLock } from "../lock.js";
import { cachePaths } from "../paths.js";
import {
  layerRole,
  OCI_MANIFEST,
  type PushedLayer,
  PYRO_CONFIG,
  pushArtifact,
  unpackArtifact,
} from "./artifact.js";
import { type Descriptor, digestHex, fetchBlob, mismatch } from "./blobs.js";
import { RegistryClient } from "./client.js";
import { manifestReference, parseReference, type Reference } from "./reference.js";

const ACCEPT = [
  OCI_MANIFEST,
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  manifests?: (Descriptor & { platform?: { os?: string; architecture?: string } })[];
}

export interface Hooks {
  onProgress?: PullProgressListener | undefined;
  signal?: AbortSignal | undefined;
}

function client(config: PyroConfig, ref: Reference, actions: string): RegistryClient {
  return new RegistryClient(
    ref,
    { insecure: config.registryInsecure, authFiles: config.registryAuthFiles },
    actions,
  );
}

/** Fetches manifest `reference` and checks it against the digest it is named by or served with. */
async function getManifest(
  c: RegistryClient,
  reference: string,
  signal?: AbortSignal,
): Promise<{ json: ImageManifest; digest: string }> {
  const res = await c.request(`/manifests/${reference}`, {
    headers: { accept: ACCEPT },
    accept: [404],
    signal,
  });
  if (res.status === 404) {
    await res.body?.cancel().catch(() => undefined);
    throw new PyroError(
      "environment_not_found",
      `${c.ref.registry}/${c.ref.repository} has no "${reference}"`,
      {
        details: { reference: c.ref.text },
        hint: "check the tag (or digest) and the repository name",
      },
    );
  }
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > MAX_MANIFEST_BYTES)
    throw new PyroError("registry_error", `manifest of ${c.ref.text} is larger than 4 MiB`);
  const digest = `sha256:${(await import("node:crypto")).createHash("sha256").update(body).digest("hex")}`;
  const expected = reference.startsWith("sha256:") ? reference : res.headers.get("docker-content-digest");
  if (expected && expected !== digest) throw mismatch(`manifest of ${c.ref.text}`, expected, digest);
  try {
    return { json: JSON.parse(body.toString("utf8")) as ImageManifest, digest };
  } catch {
    throw new PyroError("registry_error", `manifest of ${c.ref.text} is not JSON`);
  }
}

/** The manifest for linux/amd64 (an index is followed once). */
export async function resolveManifest(c: RegistryClient, signal?: AbortSignal) {
  const first = await getManifest(c, manifestReference(c.ref), signal);
  if (!first.json.manifests) return first;
  const pick = first.json.manifests.find(
    (m) => m.platform?.os === "linux" && m.platform.architecture === "amd64",
  );
  if (!pick)
    throw new PyroError("environment_not_found", `${c.ref.text} has no linux/amd64 image`, {
      details: { reference: c.ref.text },
    });
  return getManifest(c, pick.digest, signal);
}

/** Downloads blobs one after another (each under its own lock), reporting bytes over all of them. */
export async function fetchAll(
  c: RegistryClient,
  config: PyroConfig,
  blobs: Descriptor[],
  hooks: Hooks,
  name: string,
): Promise<string[]> {
  const dir = cachePaths.blobDir(config.cacheDir);
  const total = blobs.reduce((n, b) => n + b.size, 0);
  let before = 0;
  const paths: string[] = [];
  for (const desc of blobs) {
    const base = before;
    const path = await withLock(
      join(dir, digestHex(desc.digest)),
      () =>
        fetchBlob(c, desc, dir, {
          signal: hooks.signal,
          onBytes: (done) =>
            hooks.onProgress?.({
              phase: "download",
              environment: name,
              fraction: (0.8 * (base + done)) / Math.max(total, 1),
              detail: `${base + done}/${total} bytes`,
            }),
        }),
      { waitMs: 60 * 60_000 },
    );
    before += desc.size;
    paths.push(path);
  }
  return paths;
}

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
