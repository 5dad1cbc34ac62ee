#!/usr/bin/env node
/**
 * VM templates (issue 13): `pyro run ENV -- true` restored from a template against the
 * bare-boot floor and against a cold run, and `workspace create` restored against a cold
 * create, all measured in this one run.
 *
 * Floor: bench/floor.mjs (QEMU with the supervisor's argv, ready-init as PID 1, spawn to
 * READY). Runs and creates: wall time of the whole CLI process, fresh VM or workspace each
 * time; a restored sample that did not restore (its phase line says `boot=cold`) is counted
 * and reported. Templates are built first (`pyro prepare`, timed), so no sample builds one.
 * Targets: restored run p50 <= 0.6x the floor p50; restored create p50 <= 0.5x a cold create.
 *
 * Usage: guestslot guestslot node bench/template.mjs [--runs N] [--env debian:12]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { resolveConfig } from "../dist/core/config.js";
import { requireInstalled } from "../dist/core/environments/registry.js";
import { resolveAcceleration } from "../dist/core/host.js";
import { measureFloor, runCli, timeCli } from "./floor.mjs";
import { pct } from "./stats.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "7" }, env: { type: "string", default: "debian:12" } },
});
const runs = Math.max(5, Number(values.runs));
const environment = values.env;
const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;
const line = (label, xs) =>
  console.log(
    `  ${label.padEnd(38)} p50 ${fmt(pct(xs, 50))}  p95 ${fmt(pct(xs, 95))}  min ${fmt(Math.min(...xs))}`,
  );
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const config = resolveConfig();
const boot = await requireInstalled(config.cacheDir, environment);
const accel = await resolveAcceleration(config, boot.kernelPath);
const work = mkdtempSync("/tmp/pyro-bench-");
const home = mkdtempSync("/tmp/pyro-bt-");
const env = { ...process.env, PYRO_HOME: home };
try {
  console.log(
    `environment=${environment} acceleration=${accel.accel} runs=${runs} load average at start: ${load()}`,
  );
  const floor = await measureFloor(config, boot, accel.accel, work, runs);
  const prepare = await timeCli(["prepare", environment], env);

  const restored = [];
  const cold = [];
  let notRestored = 0;
  for (let i = 0; i < runs; i++) {
    const r = await timeCli(["run", environment, "--", "true"], env, true);
    restored.push(r.ms);
    if (!r.stderr.includes("boot=restored")) notRestored++;
    cold.push(await timeCli(["run", "--cold", environment, "--", "true"], env));
  }

  console.log(`\n[pyro run ${environment} -- true] load average now: ${load()}`);
  line("bare boot floor (QEMU -> READY)", floor);
  line("restored from a template", restored);
  line("cold (--cold)", cold);
  console.log(`  pyro prepare (both templates, once): ${fmt(prepare)}`);
  console.log(`  samples that did not restore: ${notRestored} of ${runs}`);
  const runRatio = pct(restored, 50) / pct(floor, 50);
  console.log(`  restored p50 / floor p50: ${runRatio.toFixed(2)}x (target <= 0.6x)`);
  console.log(`  restored p50 / cold p50: ${(pct(restored, 50) / pct(cold, 50)).toFixed(2)}x`);
  const wsRestored = [];
  const wsCold = [];
  let wsNotRestored = 0;
  const wsRuns = Math.max(5, Math.ceil(runs / 2) + 1);
  for (let i = 0; i < wsRuns; i++) {
    const r = await timeCli(["workspace", "create", environment], env, true);
    wsRestored.push(r.ms);
    if (!r.stderr.includes("boot=restored")) wsNotRestored++;
    wsCold.push(await timeCli(["workspace", "create", "--cold", environment], env));
    await deleteWorkspaces(); // only two guests at a time on this host
  }

  console.log(`\n[workspace create ${environment}] runs=${wsRuns}`);
  line("restored from a template", wsRestored);
  line("cold (--cold)", wsCold);
  console.log(`  samples that did not restore: ${wsNotRestored} of ${wsRuns}`);
  const wsRatio = pct(wsRestored, 50) / pct(wsCold, 50);
  console.log(`  restored p50 / cold p50: ${wsRatio.toFixed(2)}x (target <= 0.5x)`);
  console.log(`\nload average at the end: ${load()}`);
} finally {
  await deleteWorkspaces().catch((err) => console.error(`cleanup: ${err.message}`));
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}

/** Deletes every workspace of this benchmark's PYRO_HOME. */
async function deleteWorkspaces() {
  for (const ws of JSON.parse((await runCli(["workspace", "list", "--json"], env)).stdout).workspaces)
    await timeCli(["workspace", "delete", ws.workspace_id], env);
}
