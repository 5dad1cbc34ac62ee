/**
 * Blob transfer. Downloads land in `<cache>/oci/blobs/sha256/<hex>.partial` and are renamed to
 * `<hex>` only once their sha256 and size match the descriptor, so a pull that dies midway
 * resumes with a ranged GET from where it stopped and never fetches a finished blob again; a
 * blob whose content does not match its digest is deleted and refused (`digest_mismatch`).
 * Uploads go in chunks (POST, PATCH..., PUT ?digest=), skipping blobs the registry has.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { PyroError } from "../../errors.js";
import { sha256File } from "../fs-atomic.js";
import type { RegistryClient } from "./client.js";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** Called as bytes arrive or leave: `done` of `total` for this blob. */
export type BytesListener = (done: number, total: number) => void;

/** A stalled body (no byte for this long) counts as a lost connection, in ms. */
const BODY_IDLE_MS = 60_000;
/** Upload chunk size: one PATCH each. */
const UPLOAD_CHUNK_BYTES = 16 * 1024 * 1024;

export function digestHex(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m?.[1]) throw new PyroError("registry_error", `unsupported digest "${digest}" (only sha256)`);
  return m[1];
}

export function mismatch(what: string, expected: string, actual: string): PyroError {
  return new PyroError(
    "digest_mismatch",
    `${what} does not match its digest (expected ${expected}, got ${actual}); nothing was installed`,
    {
      details: { expected, actual },
      hint: "the registry holds corrupt content, or something altered it in transit; push again",
    },
  );
}

/**
 * Makes `desc` present and verified in `blobDir`, downloading what is missing (resuming a
 * partial file), and returns its path.
 * @throws PyroError digest_mismatch, registry_unreachable, registry_error
 */
export async function fetchBlob(
  client: RegistryClient,
  desc: Descriptor,
  blobDir: string,
  options: { onBytes?: BytesListener; signal?: AbortSignal | undefined } = {},
): Promise<string> {
  const hex = digestHex(desc.digest);
  const done = join(blobDir, hex);
  if (existsSync(done)) {
    // Verified when stored; hashed again because the cache is a plain directory.
    if ((await sha256File(done)) === hex) {
      options.onBytes?.(desc.size, desc.size);
      return done;
    }
    await rm(done, { force: true });
  }
  await mkdir(blobDir, { recursive: true, mode: 0o700 });
  const partial = `${done}.partial`;
  const hash = createHash("sha256");
  let offset = (await stat(partial).catch(() => undefined))?.size ?? 0;
  if (offset > desc.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  if (offset > 0) for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer);
  if (offset < desc.size) {
    const abort = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
    const res = await client.request(`/blobs/${desc.digest}`, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      signal,
    });
    if (offset > 0 && res.status !== 206) {
      // The registry ignored the range: start over.
      await res.body?.cancel().catch(() => undefined);
      return restart(client, desc, blobDir, partial, options);
    }
    const file = await open(partial, offset > 0 ? "a" : "w", 0o600);
    let idle = setTimeout(() => abort.abort(), BODY_IDLE_MS);
    try {
      if (!res.body) throw new PyroError("registry_error", `empty answer for blob ${desc.digest}`);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(idle);
        idle = setTimeout(() => abort.abort(), BODY_IDLE_MS);
        if (offset + chunk.length > desc.size) {
          await rm(partial, { force: true });
          throw mismatch(`blob ${desc.digest}`, `${desc.size} bytes`, "more bytes");
        }
        await file.write(chunk);
        hash.update(chunk);
        offset += chunk.length;
        options.onBytes?.(offset, desc.size);
      }
    } catch (err) {
      if (err instanceof PyroError) throw err;
      if (options.signal?.aborted)
        throw new PyroError("interrupted", "pull interrupted; it resumes where it stopped");
      throw client.unreachable(err, abort.signal.aborted);
    } finally {
      clearTimeout(idle);
      await file.close();
    }
    if (offset < desc.size) {
      throw client.unreachable(new Error(`blob ${desc.digest} ended after ${offset} of ${desc.size} bytes`));
    }
  }
  const actual = hash.digest("hex");
  if (actual !== hex) {
    await rm(partial, { force: true });
    throw mismatch(`blob ${desc.digest}`, desc.digest, `sha256:${actual}`);
  }
  await rename(partial, done);
  return done;
}

async function restart(
  client: RegistryClient,
  desc: Descriptor,
  blobDir: string,
  partial: string,
  options: { onBytes?: BytesListener; signal?: AbortSignal | undefined },
): Promise<string> {
  await rm(partial, { force: true });
  return fetchBlob(client, desc, blobDir, options);
}

/**
 * Uploads the file at `path` as blob `desc` unless the registry already has it.
 * @returns bytes sent (0 when the blob was there)
 */
export async function pushBlob(
  client: RegistryClient,
  desc: Descriptor,
  path: string,
  options: { onBytes?: BytesListener; signal?: AbortSignal | undefined } = {},
): Promise<number> {
  const head = await client.request(`/blobs/${desc.digest}`, {
    method: "HEAD",
    accept: [404],
    signal: options.signal,
  });
  if (head.status === 200) {
    options.onBytes?.(desc.size, desc.size);
    return 0;
  }
  const start = await client.request("/blobs/uploads/", {
    method: "POST",
    body: Buffer.alloc(0),
    signal: options.signal,
  });
  let location = uploadLocation(client, start);
  const file = await open(path, "r");
  let sent = 0;
  try {
    const buffer = Buffer.alloc(Math.min(UPLOAD_CHUNK_BYTES, Math.max(desc.size, 1)));
    while (sent < desc.size) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, sent);
      if (bytesRead === 0) throw new PyroError("internal", `${path} is shorter than ${desc.size} bytes`);
      const chunk = Buffer.from(buffer.subarray(0, bytesRead));
      const res = await client.request(location, {
        method: "PATCH",
        headers: {
          "content-type": "application/octet-stream",
          "content-range": `${sent}-${sent + bytesRead - 1}`,
          "content-length": String(bytesRead),
        },
        body: chunk,
        signal: options.signal,
      });
      location = uploadLocation(client, res);
      sent += bytesRead;
      options.onBytes?.(sent, desc.size);
    }
  } finally {
    await file.close();
  }
  const sep = location.includes("?") ? "&" : "?";
  await client.request(`${location}${sep}digest=${encodeURIComponent(desc.digest)}`, {
    method: "PUT",
    headers: { "content-length": "0" },
    body: Buffer.alloc(0),
    signal: options.signal,
  });
  return sent;
}

function uploadLocation(client: RegistryClient, res: Response): string {
  const location = res.headers.get("location");
  void res.body?.cancel().catch(() => undefined);
  if (!location)
    throw new PyroError("registry_error", `registry ${client.ref.registry} gave no upload location`);
  return client.url(location);
}
