#!/usr/bin/env node
/**
 * Reset against create, in one run: `reset` p50 next to a fresh `create` p50 of the same seed
 * (target ratio <= 1.2). Exec overhead and supervisor RSS, next to their floors, are in
 * bench/phases.mjs.
 *
 * Usage: node bench/workspace.mjs [--runs N] [--env debian:12]   (npm run build first)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pyro } from "../dist/sdk/index.js";
import { pct } from "./stats.mjs";

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

  const resets = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await pyro.resetWorkspace({ workspaceId: id });
    resets.push(performance.now() - t);
  }

  console.log(`environment=${values.env} runs=${runs}`);
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
