/**
 * A real OCI registry for tests (Debian's `docker-registry`, the Distribution registry) on
 * 127.0.0.1 with its storage in a temp dir, a counting (and, on request, stalling) loopback
 * proxy in front of it, and a tiny image pusher for images the tests make themselves.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { type AddressInfo, createServer as netServer } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const srv = netServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Registry {
  host: string;
  storage: string;
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` on a free loopback port; `stop` kills it by pid and removes its storage. */
export async function startRegistry(): Promise<Registry> {
  const dir = mkdtempSync("/tmp/pyro-registry-");
  const port = await freePort();
  const storage = join(dir, "data");
  writeFileSync(
    join(dir, "config.yml"),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child: ChildProcess = spawn("docker-registry", ["serve", join(dir, "config.yml")], {
    stdio: "ignore",
  });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://${host}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i === 99) throw new Error("docker-registry did not start (apt-get install docker-registry)");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    storage,
    async stop() {
      if (child.pid && child.exitCode === null) {
        process.kill(child.pid, "SIGKILL");
        await new Promise((r) => child.once("exit", r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProxyRequest {
  method: string;
  path: string;
  range: string | undefined;
  /** Body bytes sent to the client. */
  bytes: number;
}

export interface CountingProxy {
  host: string;
  requests: ProxyRequest[];
  /** Serve only this many bytes of the blob whose path contains `digestHex`, then hold the connection. */
  stall: { digestHex: string; bytes: number } | undefined;
  stop(): Promise<void>;
}

/** A loopback HTTP proxy in front of `target` that records every request and the bytes it served. */
export async function startProxy(target: string): Promise<CountingProxy> {
  const held: (() => void)[] = [];
  const proxy: CountingProxy = { host: "", requests: [], stall: undefined, stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    const record: ProxyRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      range: req.headers.range,
      bytes: 0,
    };
    proxy.requests.push(record);
    const [hostname, port] = target.split(":");
    const upstream = httpRequest(
      {
        hostname,
        port: Number(port),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        const stall = proxy.stall && req.url?.includes(proxy.stall.digestHex) ? proxy.stall : undefined;
        up.on("data", (chunk: Buffer) => {
          if (stall) {
            const room = stall.bytes - record.bytes;
            if (room <= 0) return;
            const part = chunk.subarray(0, room);
            record.bytes += part.length;
            res.write(part);
            if (record.bytes >= stall.bytes) {
              up.pause();
              held.push(() => res.destroy());
            }
            return;
          }
          record.bytes += chunk.length;
          res.write(chunk);
        });
        up.on("end", () => {
          if (!stall) res.end();
        });
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = async () => {
    for (const release of held) release();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return proxy;
}

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function putBlob(host: string, repo: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  const location = new URL(start.headers.get("location") ?? "", `http://${host}`);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, {
    method: "PUT",
    body: data,
    headers: { "content-type": "application/octet-stream" },
  });
  if (put.status !== 201) throw new Error(`blob upload failed: HTTP ${put.status} ${await put.text()}`);
  return digest;
}

/**
 * Pushes an ordinary container image (OCI manifest, gzip layers) made of `layers` (tar
 * streams, lowest first) with `config` as its image config; returns the manifest digest.
 */
export async function pushImage(
  host: string,
  repo: string,
  tag: string,
  layers: Buffer[],
  config: { Env?: string[]; WorkingDir?: string; User?: string },
): Promise<string> {
  const descs = [];
  for (const tarball of layers) {
    const gz = gzipSync(tarball);
    descs.push({
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      digest: await putBlob(host, repo, gz),
      size: gz.length,
    });
  }
  const configBlob = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      config,
      rootfs: { type: "layers", diff_ids: layers.map(sha256) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: await putBlob(host, repo, configBlob),
        size: configBlob.length,
      },
      layers: descs,
    }),
  );
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: "PUT",
    body: manifest,
    headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
  });
  if (res.status !== 201) throw new Error(`manifest push failed: HTTP ${res.status} ${await res.text()}`);
  return sha256(manifest);
}
