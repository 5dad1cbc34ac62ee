#!/usr/bin/env node
/**
 * Workspace numbers in one run:
 * - exec round trip of `true` through the SDK, minus the in-guest time the agent reports for
 *   running it (fork+exec+wait): the host/channel/agent overhead (target p50 <= 3 ms, p95 <= 10 ms);
 * - supervisor RSS of a running workspace (target <= 12 MiB, the Go supervisor);
 * - `reset` p50 next to a fresh `create` p50 of the same seed (target ratio <= 1.2).
 *
 * Usage: node bench/workspace.mjs [--runs N] [--env debian:12]   (npm run build first)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pyro } from "../dist/sdk/index.js";
import { pct, rssMib } from "./stats.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, env: { type: "string", default: "debian:12" } },
});
const runs = Math.max(5, Number(values.runs));
const ms = (x) => `${x.toFixed(1)} ms`;
const home = mkdtempSync("/tmp/pyro-bw-");
const seed = join(home, "seed");
mkdirSync(seed);
for (let i = 0; i < 20; i++) writeFileSync(join(seed, `f${i}.txt`), `file ${i}\n`.repeat(100));
const pyro = new Pyro({ stateDir: home });

try {
  const creates = [];
  let id;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const w = await pyro.createWorkspace({ environment: values.env, seedPath: seed });
    creates.push(performance.now() - t);
    if (i === 0) id = w.workspaceId;
    else await pyro.deleteWorkspace(w.workspaceId);
  }

  for (let i = 0; i < 10; i++) await pyro.execWorkspace({ workspaceId: id, command: ["true"] }); // warm
  const overhead = [];
  const roundTrips = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const r = await pyro.execWorkspace({ workspaceId: id, command: ["true"] });
    const rt = performance.now() - t;
    roundTrips.push(rt);
    overhead.push(rt - r.durationMs);
  }

  const sv = JSON.parse(readFileSync(join(home, "workspaces", id, "run", "sv.json"), "utf8"));
  const supervisorRss = rssMib(sv.supervisor_pid); // after 40 execs through it
  const qemuRss = rssMib(sv.vmm_pid);

  const resets = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await pyro.resetWorkspace({ workspaceId: id });
    resets.push(performance.now() - t);
  }

  console.log(`environment=${values.env} runs=${runs}`);
  console.log(`exec true round trip:     p50 ${ms(pct(roundTrips, 50))}  p95 ${ms(pct(roundTrips, 95))}`);
  console.log(
    `  minus in-guest time:    p50 ${ms(pct(overhead, 50))}  p95 ${ms(pct(overhead, 95))} (target p50 <= 3 ms, p95 <= 10 ms)`,
  );
  console.log(
    `supervisor RSS:           ${supervisorRss.toFixed(1)} MiB (target <= 12 MiB); QEMU RSS ${qemuRss.toFixed(1)} MiB`,
  );
  console.log(`create (seed of 20 files): p50 ${ms(pct(creates, 50))}  p95 ${ms(pct(creates, 95))}`);
  console.log(`reset to baseline:         p50 ${ms(pct(resets, 50))}  p95 ${ms(pct(resets, 95))}`);
  console.log(
    `ratio reset p50 / create p50: ${(pct(resets, 50) / pct(creates, 50)).toFixed(2)}x (target <= 1.20x)`,
  );
  await pyro.deleteWorkspace(id);
} finally {
  // Delete every workspace (kills its VM) before removing the state dir.
  for (const w of (await pyro.listWorkspaces()).workspaces) await pyro.deleteWorkspace(w.workspaceId);
  rmSync(home, { recursive: true, force: true });
}
