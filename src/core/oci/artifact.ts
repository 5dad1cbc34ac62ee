/**
 * A pyro environment as an OCI artifact: an image manifest with `artifactType`
 * `application/vnd.pyro.environment.v1`, the install manifest as its config blob, and one
 * layer per artifact (kernel, modules, rootfs), zstd-compressed when that saves at least 10%
 * (the sparse 2 GiB rootfs shrinks to a fraction; `zstd -d` writes it back sparse).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import type { Manifest } from "../environments/manifest.js";
import { sha256File } from "../fs-atomic.js";
import { runProgram } from "../process-run.js";
import { type BytesListener, type Descriptor, pushBlob } from "./blobs.js";
import type { RegistryClient } from "./client.js";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const PYRO_ARTIFACT_TYPE = "application/vnd.pyro.environment.v1";
export const PYRO_CONFIG = "application/vnd.pyro.environment.config.v1+json";
const ROLES = ["kernel", "modules", "rootfs"] as const;
export type Role = (typeof ROLES)[number];
/** Install file name of each role (fixed: a pulled config never chooses a path). */
export const ROLE_FILE: Record<Role, string> = {
  kernel: "vmlinux",
  modules: "modules.cpio",
  rootfs: "rootfs.ext4",
};
const layerType = (role: Role, zstd: boolean) =>
  `application/vnd.pyro.environment.${role}.v1${zstd ? "+zstd" : ""}`;

/** The role a layer media type carries, and whether it is compressed; undefined for others. */
export function layerRole(mediaType: string): { role: Role; zstd: boolean } | undefined {
  const m = /^application\/vnd\.pyro\.environment\.(kernel|modules|rootfs)\.v1(\+zstd)?$/.exec(mediaType);
  return m ? { role: m[1] as Role, zstd: Boolean(m[2]) } : undefined;
}

export interface PushedLayer {
  role: Role;
  digest: string;
  size: number;
  mediaType: string;
  /** Bytes sent (0 when the registry already had the blob). */
  uploadedBytes: number;
}

/**
 * Uploads install `dir` (manifest `manifest`) and tags it; returns the manifest digest.
 * @throws PyroError registry_unreachable, registry_auth_failed, registry_error
 */
export async function pushArtifact(
  client: RegistryClient,
  cacheDir: string,
  dir: string,
  manifest: Manifest,
  tag: string,
  options: { onBytes?: BytesListener; signal?: AbortSignal | undefined } = {},
): Promise<{ digest: string; layers: PushedLayer[] }> {
  const work = join(cacheDir, "oci", `push-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(work, { recursive: true, mode: 0o700 });
  try {
    const files: { role: Role; path: string; desc: Descriptor }[] = [];
    for (const role of ROLES) {
      const path = join(dir, manifest.artifacts[role].path);
      const packed = join(work, `${role}.zst`);
      await runProgram(["zstd", "-q", "-T0", "-3", "-o", packed, path], {
        errorCode: "internal",
        signal: options.signal,
      });
      const raw = (await stat(path)).size;
      const zstd = (await stat(packed)).size < raw * 0.9;
      const chosen = zstd ? packed : path;
      const desc: Descriptor = {
        mediaType: layerType(role, zstd),
        digest: `sha256:${await sha256File(chosen)}`,
        size: (await stat(chosen)).size,
        annotations: { "org.opencontainers.image.title": ROLE_FILE[role] },
      };
      files.push({ role, path: chosen, desc });
    }
    const { oci: _oci, ...portable } = manifest;
    const config = Buffer.from(JSON.stringify(portable));
    const configDesc: Descriptor = {
      mediaType: PYRO_CONFIG,
      digest: `sha256:${sha256(config)}`,
      size: config.length,
    };
    const configPath = join(work, "config.json");
    await writeFile(configPath, config);
    const total = files.reduce((n, f) => n + f.desc.size, 0);
    let before = 0;
    const layers: PushedLayer[] = [];
    await pushBlob(client, configDesc, configPath, { signal: options.signal });
    for (const f of files) {
      const base = before;
      const uploadedBytes = await pushBlob(client, f.desc, f.path, {
        signal: options.signal,
        onBytes: (done) => options.onBytes?.(base + done, total),
      });
      before += f.desc.size;
      layers.push({
        role: f.role,
        digest: f.desc.digest,
        size: f.desc.size,
        mediaType: f.desc.mediaType,
        uploadedBytes,
      });
    }
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: PYRO_ARTIFACT_TYPE,
        config: configDesc,
        layers: files.map((f) => f.desc),
        annotations: { "org.opencontainers.image.title": manifest.name },
      }),
    );
    await client.request(`/manifests/${tag}`, {
      method: "PUT",
      headers: { "content-type": OCI_MANIFEST },
      body,
      signal: options.signal,
    });
    return { digest: `sha256:${sha256(body)}`, layers };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Writes the artifact file of `role` from its downloaded blob into `dir` (zstd layers are
 * decompressed sparse) and checks it against the sha256 the environment's manifest records.
 * @throws PyroError digest_mismatch
 */
export async function unpackArtifact(
  blob: string,
  zstd: boolean,
  role: Role,
  dir: string,
  expectedSha256: string,
  signal?: AbortSignal,
): Promise<void> {
  const target = join(dir, ROLE_FILE[role]);
  const argv = zstd
    ? ["zstd", "-q", "-d", "--sparse", "-o", target, blob]
    : ["cp", "--sparse=always", blob, target];
  await runProgram(argv, { errorCode: "registry_error", signal });
  const actual = await sha256File(target);
  if (actual !== expectedSha256) {
    throw new PyroError(
      "digest_mismatch",
      `the ${role} artifact does not match the environment's manifest (expected sha256 ${expectedSha256}, got ${actual}); nothing was installed`,
      {
        details: { role, expected: expectedSha256, actual },
      },
    );
  }
}
