/**
 * What a workspace's VM costs the host, for the memory benchmarks (memory.mjs, fork.mjs): its
 * host processes are its supervisor (pid from the workspace's run/sv.json, checked against
 * run/sv.pid) and every descendant of it (QEMU is one: `vmm_pid` of sv.json, checked to be in
 * the tree). PSS (/proc/PID/smaps_rollup) splits pages shared by several processes among them.
 * And deleting a benchmark's workspaces whatever happens.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { workspacePaths } from "../dist/core/paths.js";
import { runCli } from "./floor.mjs";

/** The host processes of workspace `id` under PYRO_HOME `home` and their memory now (MiB). */
export function measureVm(home, id) {
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

export function addMemory(a, b) {
  return { pss: a.pss + b.pss, rss: a.rss + b.rss };
}

/**
 * QEMU's PSS (MiB) by kind of mapping: `guest RAM` (the RAM file of a restore: a template's
 * `memory`, or a fork's `pause/memory`, unlinked once it runs; or an anonymous mapping at least
 * as large as the guest's memory), `TCG code cache` (writable and executable:
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
      const file = path.replace(/ \(deleted\)$/, "");
      if (file.endsWith("/memory") || (path === "" && sizeMib >= 512)) kind = "guest RAM";
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

/** Deletes workspace `id` of `env`'s PYRO_HOME; if that fails, kills its supervisor and QEMU by their recorded pids. */
export async function deleteWorkspace(env, id) {
  const home = env.PYRO_HOME;
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

/** Deletes every workspace left under `env`'s PYRO_HOME, then the directory. */
export async function cleanup(env) {
  const home = env.PYRO_HOME;
  const dir = join(home, "workspaces");
  const left = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [];
  for (const entry of left.filter((e) => e.isDirectory() && !e.name.endsWith(".lock")))
    await deleteWorkspace(env, entry.name);
  rmSync(home, { recursive: true, force: true });
}

/** The load averages, for the report. */
export const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/**
 * SIGINT/SIGTERM stop the run at its next step, whose `finally` deletes what it made (a second
 * one exits at once): cleaning up from the handler itself would race a create still running.
 * @returns an object whose `interrupted` turns true on the first signal
 */
export function trapInterrupts() {
  const state = { interrupted: false };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      if (state.interrupted) process.exit(130);
      state.interrupted = true;
      process.exitCode = 130;
      console.error(`\n${signal}: stopping; the benchmark's workspaces are deleted next`);
    });
  }
  return state;
}
