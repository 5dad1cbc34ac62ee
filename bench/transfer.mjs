#!/usr/bin/env node
/**
 * Bulk transfer of one large incompressible file through a real workspace, in one run:
 * - `pushWorkspaceSync` of a host directory holding the file (host validation pass, tar
 *   stream to the supervisor, HTTP/2 over virtio-serial, extraction in the guest);
 * - `exportWorkspace` of that file back to a new host path (guest tar, extraction on the host);
 * - two floors measured in the same VM: "channel" is a raw 16 MiB read of the same file
 *   through the same supervisor socket and HTTP/2 session (GET /v1/agent/files/read: no tar,
 *   no host extraction, the most the agent's read route sends), and "guest copy" is `cp` of
 *   the file inside the guest (guest disk and page cache under TCG, no channel at all).
 * Throughput is MB/s with MB = 10^6 bytes, against the baseline (push 14 MB/s,
 * export 20 MB/s; targets 3x: push >= 42, export >= 60).
 *
 * Usage: node bench/transfer.mjs [--runs N] [--mb 200] [--env debian:12]   (npm run build first)
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pyro } from "../dist/sdk/index.js";
import { pct } from "./stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    mb: { type: "string", default: "200" },
    env: { type: "string", default: "debian:12" },
  },
});
const runs = Math.max(1, Number(values.runs));
const bytes = Number(values.mb) * 1_000_000;
const BASELINE = { push: 14, export: 20 }; // MB/s, the older Node supervisor (issue)
const mbps = (n, s) => n / 1e6 / s;
const sha256 = (path) =>
  new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (c) => h.update(c))
      .on("end", () => resolve(h.digest("hex")))
      .on("error", reject);
  });

const home = mkdtempSync("/tmp/pyro-bt-");
const src = join(home, "src");
mkdirSync(src);
const file = join(src, "big.bin");
{
  const fd = openSync(file, "w");
  for (let left = bytes; left > 0; left -= 4 << 20) writeSync(fd, randomBytes(Math.min(left, 4 << 20)));
  closeSync(fd);
}
const srcHash = await sha256(file);
const pyro = new Pyro({ stateDir: home });

/** Times a raw GET of the file's first `n` bytes through the supervisor socket, in seconds. */
function channelRead(socketPath, n) {
  const q = new URLSearchParams({ root: "/workspace", path: "bench/big.bin", max_bytes: String(n) });
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.request({ socketPath, path: `/v1/agent/files/read?${q}`, agent: false }, (res) => {
      let got = 0;
      res.on("data", (c) => {
        got += c.length;
      });
      res.on("end", () =>
        got === n ? resolve((performance.now() - t) / 1000) : reject(new Error(`read ${got} of ${n} bytes`)),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

let id;
try {
  id = (await pyro.createWorkspace({ environment: values.env })).workspaceId;
  const pushes = [];
  const exports = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const r = await pyro.pushWorkspaceSync({ workspaceId: id, sourcePath: src, dest: "bench" });
    pushes.push((performance.now() - t) / 1000);
    if (r.bytes !== bytes) throw new Error(`push wrote ${r.bytes} bytes, expected ${bytes}`);
    const out = join(home, `export-${i}.bin`);
    t = performance.now();
    await pyro.exportWorkspace({ workspaceId: id, path: "bench/big.bin", outputPath: out });
    exports.push((performance.now() - t) / 1000);
    if (i === 0 && (await sha256(out)) !== srcHash) throw new Error("exported file differs from the source");
    rmSync(out);
  }

  const socket = join(home, "workspaces", id, "run", "sv.sock");
  const floorBytes = 16 << 20;
  const channel = [];
  for (let i = 0; i < runs; i++) channel.push(await channelRead(socket, floorBytes));
  const copies = [];
  for (let i = 0; i < runs; i++) {
    const r = await pyro.execWorkspace({
      workspaceId: id,
      command: ["sh", "-c", "cp bench/big.bin bench/copy.bin && rm bench/copy.bin"],
    });
    if (r.exitCode !== 0) throw new Error(`guest cp failed: ${r.stderr}`);
    copies.push(r.durationMs / 1000);
  }

  const line = (name, xs, n, base) => {
    const rate = mbps(n, pct(xs, 50));
    const vs = base ? `  ${(rate / base).toFixed(2)}x baseline ${base} MB/s (target ${3 * base})` : "";
    return `${name.padEnd(22)} p50 ${pct(xs, 50).toFixed(2)} s  p95 ${pct(xs, 95).toFixed(2)} s  ${rate.toFixed(1)} MB/s${vs}`;
  };
  console.log(`environment=${values.env} file=${values.mb} MB random runs=${runs}`);
  console.log(line("sync push", pushes, bytes, BASELINE.push));
  console.log(line("export", exports, bytes, BASELINE.export));
  console.log(line("floor channel 16 MiB", channel, floorBytes));
  console.log(line("floor guest cp", copies, bytes));
} finally {
  // Delete every workspace (kills its VM) before removing the state dir, even on failure.
  for (const w of (await pyro.listWorkspaces()).workspaces) await pyro.deleteWorkspace(w.workspaceId);
  rmSync(home, { recursive: true, force: true });
}
