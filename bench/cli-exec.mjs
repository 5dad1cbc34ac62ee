#!/usr/bin/env node
/**
 * `pyro workspace exec WS -- true` as an agent's shell sees it: the wall time of the whole CLI
 * process against a real, running guest, next to the Node floor (`node -e 0`) measured in the
 * same rounds (one of each per round, so load on the machine hits both alike).
 *
 * Prints p50/p95 of the wall time, of the in-guest `duration_ms` the agent reports (from
 * `--json`), and of wall minus in-guest: the host side of the exec, Node start-up included.
 * Target: wall minus in-guest p50 <= 150 ms. The workspace is created once through the SDK and
 * deleted at the end, also when a run fails.
 *
 * Usage: node bench/cli-exec.mjs [--runs N] [--env debian:12]   (npm run build first; boots a
 * guest, so run it under `guestslot`)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Pyro } from "../dist/sdk/index.js";
import { pct } from "./stats.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "20" }, env: { type: "string", default: "debian:12" } },
});
const runs = Math.max(5, Number(values.runs));
const TARGET_MS = 150;
const root = resolve(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
// The CLI's state dir is PYRO_HOME (src/core/config.ts); the SDK gets the same one explicitly.
const home = mkdtempSync(join(tmpdir(), "pyro-bench-exec-"));
const pyro = new Pyro({ stateDir: home });

/** Wall time of one process in ms; throws unless it exits 0. */
function timed(argv) {
  const started = performance.now();
  const r = spawnSync(process.execPath, argv, {
    cwd: root,
    env: { ...process.env, PYRO_HOME: home },
    encoding: "utf8",
  });
  const wall = performance.now() - started;
  if (r.status !== 0) throw new Error(`node ${argv.join(" ")}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return { wall, stdout: r.stdout };
}

let id;
try {
  id = (await pyro.createWorkspace({ environment: values.env })).workspaceId;
  const exec = [cli, "workspace", "exec", id, "--json", "--", "true"];
  for (let i = 0; i < 3; i++) timed(exec); // warm the page cache and the guest; not counted
  const floor = [];
  const wall = [];
  const guest = [];
  const host = [];
  for (let i = 0; i < runs; i++) {
    floor.push(timed(["-e", "0"]).wall);
    const r = timed(exec);
    const durationMs = JSON.parse(r.stdout).duration_ms;
    wall.push(r.wall);
    guest.push(durationMs);
    host.push(r.wall - durationMs);
  }
  const f50 = pct(floor, 50);
  const row = (name, xs, note = "") =>
    console.log(
      `${name.padEnd(34)} ${pct(xs, 50).toFixed(1).padStart(8)} ${pct(xs, 95).toFixed(1).padStart(8)}  ${(pct(xs, 50) / f50).toFixed(2)}x${note}`,
    );
  console.log(
    `${runs} rounds, round-robin; node ${process.version}; env ${values.env}; floor = node -e 0 p50`,
  );
  console.log(`${"case".padEnd(34)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)}  p50/floor`);
  row("node -e 0", floor);
  row("pyro workspace exec WS -- true", wall);
  row("  in-guest duration_ms", guest);
  const ok = pct(host, 50) <= TARGET_MS ? "met" : "MISSED";
  row("  wall minus in-guest", host, `  (target p50 <= ${TARGET_MS} ms: ${ok})`);
} finally {
  if (id) await pyro.deleteWorkspace(id).catch((err) => console.error(`delete ${id}: ${err.message}`));
  rmSync(home, { recursive: true, force: true });
}
