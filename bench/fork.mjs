#!/usr/bin/env node
/**
 * Memory and time of `workspace fork` (issue 13): per-fork PSS of K forks that share the
 * checkpoint's RAM (one file, mapped copy-on-write) against K forks that each load it into
 * memory of their own (PYRO_FORK_SHARED_MEMORY=0, the floor), measured in this one run from
 * one parent, with the parent's own PSS for reference. Per-VM memory as in memory.mjs
 * (vm-memory.mjs: the supervisor's process tree, PSS from smaps_rollup).
 *
 * The parent (`--network`: its policy; a NIC parent boots cold, one without restores from a
 * template) first fills `--fill` MiB of its RAM with random bytes in /dev/shm, so the forks
 * carry a working set that is not zero pages. Each run forks it twice, K at a time, once per
 * mode (alternating which goes first), waits `--settle` seconds, measures every fork, then
 * deletes them. The `memory` phase line must say `shared=true` for the shared mode, or the
 * run counts as not shared.
 *
 * Usage: guestslot guestslot node bench/fork.mjs [--count 3] [--runs 2] [--settle 5]
 *   [--fill 64] [--network off|egress] [--env debian:12]
 */
import { mkdtempSync } from "node:fs";
import { parseArgs } from "node:util";
import { runCli } from "./floor.mjs";
import { pct } from "./stats.mjs";
import { cleanup, deleteWorkspace, load, measureVm, trapInterrupts } from "./vm-memory.mjs";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "3" },
    runs: { type: "string", default: "2" },
    settle: { type: "string", default: "5" },
    fill: { type: "string", default: "64" },
    network: { type: "string", default: "off" },
    env: { type: "string", default: "debian:12" },
  },
});
const count = Math.min(8, Math.max(2, Number(values.count)));
const runs = Math.max(1, Number(values.runs));
const settleMs = Math.max(0, Number(values.settle)) * 1000;
const home = mkdtempSync("/tmp/pyro-bf-");
const env = { ...process.env, PYRO_HOME: home };
const modes = {
  shared: { ...env, PYRO_FORK_SHARED_MEMORY: "1" },
  private: { ...env, PYRO_FORK_SHARED_MEMORY: "0" },
};
const interrupts = trapInterrupts();

try {
  console.log(
    `environment=${values.env} forks=${count} runs=${runs} fill=${values.fill} MiB network=${values.network} load: ${load()}`,
  );
  const parent = await createParent();
  const results = { shared: [], private: [] };
  for (let run = 0; run < runs && !interrupts.interrupted; run++) {
    const order = run % 2 === 0 ? ["private", "shared"] : ["shared", "private"];
    for (const mode of order) {
      if (interrupts.interrupted) break;
      results[mode].push(await forkOnce(parent, mode));
    }
  }
  const parentPss = measureVm(home, parent).total.pss;
  report(results, parentPss);
} finally {
  await cleanup(env);
}

/** The parent workspace, with `--fill` MiB of random bytes in its RAM (tmpfs). */
async function createParent() {
  const created = await runCli(
    ["workspace", "create", values.env, "--network-policy", values.network, "--id-only"],
    env,
  );
  const id = created.stdout.trim();
  const fill = `head -c ${Number(values.fill) * 1024 * 1024} /dev/urandom > /dev/shm/fill`;
  await runCli(["workspace", "exec", id, "--", "sh", "-c", fill], env);
  return id;
}

/** One fork of `count` in `mode`: its time, phase lines, and each fork's memory. */
async function forkOnce(parent, mode) {
  const r = await runCli(["workspace", "fork", parent, "--count", String(count), "--id-only"], modes[mode]);
  const ids = r.stdout.trim().split("\n");
  try {
    const phase = (name) => r.stderr.split("\n").find((l) => l.startsWith(`[workspace-fork] phase=${name} `));
    const field = (line, key) => Number(new RegExp(` ${key}=(\\d+)`).exec(line ?? "")?.[1] ?? Number.NaN);
    const shared = phase("memory")?.includes(" shared=true") ?? false;
    await new Promise((res) => setTimeout(res, settleMs));
    const vms = ids.map((id) => measureVm(home, id));
    const forkStarts = r.stderr.split("\n").filter((l) => l.startsWith("[workspace-fork] phase=fork "));
    return {
      ms: r.ms,
      shared,
      checkpointMs: field(phase("checkpoint"), "save_ms"),
      splitMs: field(phase("memory"), "split_ms"),
      startMs: forkStarts.map((l) => field(l, "start_ms")),
      pss: vms.map((v) => v.total.pss),
      rss: vms.map((v) => v.total.rss),
      ramPss: vms.map((v) => v.qemuByMapping["guest RAM"]),
    };
  } finally {
    for (const id of ids) await deleteWorkspace(env, id);
  }
}

function report(results, parentPss) {
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const all = (mode, key) => results[mode].flatMap((x) => (Array.isArray(x[key]) ? x[key] : [x[key]]));
  const mib = (x) => x.toFixed(1).padStart(8);
  const sec = (x) => (x / 1000).toFixed(2).padStart(8);
  console.log(`\n[per fork, ${count} forks x ${runs} runs per mode] load now: ${load()}`);
  console.log(`  ${"".padEnd(34)}${"private".padStart(8)}${"shared".padStart(8)}  shared / private`);
  for (const [label, key, fmt] of [
    ["PSS total, MiB (mean)", "pss", mib],
    ["  of it QEMU guest RAM, MiB", "ramPss", mib],
    ["RSS total, MiB (reference)", "rss", mib],
    ["fork call, s (mean)", "ms", sec],
    ["  checkpoint save, s", "checkpointMs", sec],
    ["  each fork's start, s", "startMs", sec],
  ]) {
    const [p, s] = [mean(all("private", key)), mean(all("shared", key))];
    console.log(`  ${label.padEnd(34)}${fmt(p)}${fmt(s)}  ${(s / p).toFixed(2)}x`);
  }
  console.log(`  RAM image split, s (mean)         ${sec(mean(all("shared", "splitMs")))}`);
  const pssP50 = pct(all("shared", "pss"), 50) / pct(all("private", "pss"), 50);
  console.log(`  PSS p50 / p50: ${pssP50.toFixed(2)}x; the parent's own PSS: ${parentPss.toFixed(1)} MiB`);
  const notShared = results.shared.filter((x) => !x.shared).length;
  console.log(
    `  shared runs whose memory phase did not say shared=true: ${notShared} of ${results.shared.length}`,
  );
}
