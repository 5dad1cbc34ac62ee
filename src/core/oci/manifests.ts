/**
 * Reading from an OCI registry, for pulls of pyro artifacts (pull.ts) and container images
 * (image.ts): the client for a reference, its manifest (an index is followed to linux/amd64,
 * every manifest checked against its digest) and blob downloads in sequence under per-blob locks.
 */
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import type { PyroConfig } from "../config.js";
import type { PullProgressListener } from "../environments/progress.js";
import { withLock } from "../lock.js";
import { cachePaths } from "../paths.js";
import { OCI_MANIFEST } from "./artifact.js";
import { type Descriptor, digestHex, fetchBlob, mismatch } from "./blobs.js";
import { RegistryClient } from "./client.js";
import { manifestReference, type Reference } from "./reference.js";

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

export function registryClient(config: PyroConfig, ref: Reference, actions: string): RegistryClient {
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
