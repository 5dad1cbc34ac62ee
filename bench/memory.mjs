#!/usr/bin/env node
/**
 * Memory of idle workspaces (issue 13): per-VM PSS of N idle workspaces restored from one
 * template against N cold-booted ones, measured in this one run (target: restored <= 0.6x cold).
 *
 * A VM's host processes are its supervisor (pid from the workspace's run/sv.json, checked
 * against run/sv.pid) and every descendant of it (QEMU is one: `vmm_pid` of sv.json, checked to
 * be in the tree). PSS (proportional set size, /proc/PID/smaps_rollup) splits pages shared by
 * several processes (the template's RAM file, QEMU's and the supervisor's binaries) among them,
 * so the sum over the N VMs is what they cost the host together. RSS is printed for reference.
 * QEMU's PSS is also split by mapping (/proc/PID/smaps): guest RAM, TCG code cache, heap,
 * other anonymous memory, files.
 *
 * Each series: N `workspace create` (restored ones must say `boot=restored`, cold ones run with
 * `--cold`), `--settle` seconds of idleness after the last create, one measurement of every VM,
 * then every workspace is deleted (also on failure or Ctrl-C, by pid if a delete fails).
 *
 * Usage: guestslot guestslot node bench/memory.mjs [--count 10] [--settle 5] [--env debian:12]
 */
import { mkdtempSync } from "node:fs";
import { parseArgs } from "node:util";
import { runCli } from "./floor.mjs";
import { pct } from "./stats.mjs";
import { cleanup, deleteWorkspace, load, measureVm, trapInterrupts } from "./vm-memory.mjs";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "10" },
    settle: { type: "string", default: "5" },
    env: { type: "string", default: "debian:12" },
  },
});
const count = Math.max(2, Number(values.count));
const settleMs = Math.max(0, Number(values.settle)) * 1000;
const environment = values.env;
const home = mkdtempSync("/tmp/pyro-bm-");
const env = { ...process.env, PYRO_HOME: home };
const interrupts = trapInterrupts();
const checkInterrupted = () => {
  if (interrupts.interrupted) throw new Error("interrupted");
};

try {
  console.log(`environment=${environment} count=${count} settle=${settleMs / 1000} s load: ${load()}`);
  const prepare = await runCli(["prepare", environment], env);
  console.log(`pyro prepare ${environment} (templates, once): ${(prepare.ms / 1000).toFixed(1)} s`);
  const restored = await series("restored", []);
  const cold = await series("cold", ["--cold"]);

  console.log(`\n[per-VM memory, ${count} idle workspaces each] load now: ${load()}`);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [label, key] of [
    ["PSS", "pss"],
    ["RSS (reference)", "rss"],
  ]) {
    const r = restored.map((v) => v.total[key]);
    const c = cold.map((v) => v.total[key]);
    console.log(
      `  ${label.padEnd(16)} restored mean / cold mean ${(mean(r) / mean(c)).toFixed(2)}x` +
        `   p50 / p50 ${(pct(r, 50) / pct(c, 50)).toFixed(2)}x${key === "pss" ? "   (target <= 0.6x)" : ""}`,
    );
  }
} catch (err) {
  if (!interrupts.interrupted) throw err;
} finally {
  await cleanup(env);
}

/**
 * One series: `count` creates, the settle time, a measurement of every VM, deletes. Returns
 * the measurements; prints them.
 */
async function series(label, flags) {
  const ids = [];
  const createMs = [];
  let notAsAsked = 0;
  try {
    for (let i = 0; i < count; i++) {
      checkInterrupted();
      const r = await runCli(["workspace", "create", ...flags, "--id-only", environment], env);
      ids.push(r.stdout.trim());
      createMs.push(r.ms);
      if (!r.stderr.includes(`boot=${label}`)) notAsAsked++;
    }
    await new Promise((r) => setTimeout(r, settleMs));
    checkInterrupted();
    const vms = ids.map((id) => measureVm(home, id));
    report(label, vms, createMs, notAsAsked);
    return vms;
  } finally {
    for (const id of ids) await deleteWorkspace(env, id);
  }
}

function report(label, vms, createMs, notAsAsked) {
  const mib = (x) => x.toFixed(1).padStart(7);
  const row = (name, xs) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `  ${name.padEnd(28)}${mib(mean)}${mib(pct(xs, 50))}${mib(Math.min(...xs))}${mib(Math.max(...xs))}`,
    );
  };
  console.log(
    `\n[${vms.length} ${label} workspaces of ${environment}, idle ${settleMs / 1000} s after the last create]`,
  );
  console.log(
    `  creates: p50 ${(pct(createMs, 50) / 1000).toFixed(2)} s; not boot=${label}: ${notAsAsked} of ${vms.length}`,
  );
  console.log(
    `  ${"per VM, MiB".padEnd(28)}${"mean".padStart(7)}${"p50".padStart(7)}${"min".padStart(7)}${"max".padStart(7)}`,
  );
  for (const key of ["pss", "rss"]) {
    row(
      `${key.toUpperCase()} QEMU`,
      vms.map((v) => v.qemu[key]),
    );
    row(
      `${key.toUpperCase()} supervisor`,
      vms.map((v) => v.supervisor[key]),
    );
    row(
      `${key.toUpperCase()} total`,
      vms.map((v) => v.total[key]),
    );
  }
  for (const kind of Object.keys(vms[0].qemuByMapping))
    row(
      `  QEMU PSS: ${kind}`,
      vms.map((v) => v.qemuByMapping[kind]),
    );
  const others = vms.flatMap((v) => v.others);
  if (others.length > 0)
    console.log(`  (supervisor rows include other processes below the supervisors: ${others.join(", ")})`);
}
