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
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { workspacePaths } from "../dist/core/paths.js";
import { runCli } from "./floor.mjs";
import { pct } from "./stats.mjs";

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
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

// A signal stops the run at its next step, whose `finally` deletes what it made (a second one
// exits at once). Cleaning up from the handler itself would race a create still running.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.exitCode = 130;
    console.error(`\n${signal}: stopping; the benchmark's workspaces are deleted next`);
  });
}
const checkInterrupted = () => {
  if (interrupted) throw new Error("interrupted");
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
  if (!interrupted) throw err;
} finally {
  await cleanup();
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
    const vms = ids.map((id) => measureVm(id));
    report(label, vms, createMs, notAsAsked);
    return vms;
  } finally {
    for (const id of ids) await deleteWorkspace(id);
  }
}

/** The host processes of workspace `id` and their memory now (MiB). */
function measureVm(id) {
  const paths = workspacePaths(home, id);
  const state = JSON.parse(readFileSync(paths.supervisorState, "utf8"));
  const pidFile = Number(readFileSync(paths.supervisorPid, "utf8").trim());
  if (state.supervisor_pid !== pidFile)
    throw new Error(`${id}: sv.json names supervisor ${state.supervisor_pid}, sv.pid ${pidFile}`);
  const tree = descendants(state.supervisor_pid);
  if (!tree.includes(state.vmm_pid))
    throw new Error(`${id}: QEMU ${state.vmm_pid} is not a descendant of supervisor ${state.supervisor_pid}`);
  const others = tree.filter((pid) => pid !== state.vmm_pid && pid !== state.supervisor_pid);
  const qemu = rollup(state.vmm_pid);
  const supervisor = [state.supervisor_pid, ...others].map(rollup).reduce(addMemory);
  return {
    id,
    qemu,
    supervisor,
    total: addMemory(qemu, supervisor),
    qemuByMapping: mappingBreakdown(state.vmm_pid),
    others: others.map((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim()),
  };
}

/** `pid` and every process below it (from the ppid field of /proc/PID/stat). */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]) ?? []));
  return all;
}

/** Pss and Rss of process `pid` (smaps_rollup), in MiB. */
function rollup(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)[1]);
  return { pss: kib("Pss") / 1024, rss: kib("Rss") / 1024 };
}

function addMemory(a, b) {
  return { pss: a.pss + b.pss, rss: a.rss + b.rss };
}

/**
 * QEMU's PSS (MiB) by kind of mapping: `guest RAM` (the RAM file of a restore, or an anonymous
 * mapping at least as large as the guest's memory), `TCG code cache` (writable and executable:
 * QEMU's translation buffer), `heap` ([heap]), `other anon` (thread stacks, malloc arenas),
 * `files` (binaries, libraries, the guest's firmware and kernel images).
 */
function mappingBreakdown(pid) {
  const kinds = { "guest RAM": 0, "TCG code cache": 0, heap: 0, "other anon": 0, files: 0 };
  let kind;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const sizeMib = Number(BigInt(`0x${header[2]}`) - BigInt(`0x${header[1]}`)) / 2 ** 20;
      const [perms, path] = [header[3], header[4]];
      if (path.endsWith("/memory") || (path === "" && sizeMib >= 512)) kind = "guest RAM";
      else if (perms.startsWith("rwx")) kind = "TCG code cache";
      else if (path === "[heap]") kind = "heap";
      else if (path === "" || path.startsWith("[")) kind = "other anon";
      else kind = "files";
      continue;
    }
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss) kinds[kind] += Number(pss[1]) / 1024;
  }
  return kinds;
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

/** Deletes workspace `id`; if that fails, kills its supervisor and QEMU by their recorded pids. */
async function deleteWorkspace(id) {
  try {
    await runCli(["workspace", "delete", id], env);
  } catch (err) {
    console.error(`delete ${id}: ${err.message.trim().split("\n")[0]}; killing its processes`);
    const paths = workspacePaths(home, id);
    try {
      const state = JSON.parse(readFileSync(paths.supervisorState, "utf8"));
      for (const pid of [state.vmm_pid, state.supervisor_pid]) {
        if (pid && existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(home))
          process.kill(pid, "SIGKILL");
      }
    } catch {
      // no state recorded: nothing was started
    }
  }
}

/** Deletes every workspace left under this benchmark's PYRO_HOME, then the directory. */
async function cleanup() {
  const dir = join(home, "workspaces");
  const left = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [];
  for (const entry of left.filter((e) => e.isDirectory() && !e.name.endsWith(".lock")))
    await deleteWorkspace(entry.name);
  rmSync(home, { recursive: true, force: true });
}
