#!/usr/bin/env node
/**
 * Where the host path spends its time, per phase, in one run (p50/p95 of N rounds, each phase
 * next to the floor it is judged against, measured in the same run):
 *
 * 1. Cold `pyro run ENV -- true`, whole CLI processes with PYRO_TRACE set, so core and the
 *    supervisor mark their phases in one file (src/core/trace.ts, host/internal/trace):
 *    CLI start (spawn -> core's run_start; floor: `node -e 0`, interleaved), host prep,
 *    supervisor spawn -> listening, VMM spawn -> agent ready (the guest boot), ready seen by
 *    core, exec round trip minus in-guest time, teardown (exec done -> process exit).
 * 2. One workspace: SDK exec round trip of `true` minus the in-guest time the agent reports
 *    (floor: a `GET /v1/agent/health` round trip through the same supervisor socket, the
 *    cheapest request that reaches the agent), `pyro workspace exec WS -- true` as a whole
 *    process minus in-guest time, with its phases; supervisor and QEMU RSS.
 *
 * Usage: node bench/phases.mjs [--runs N] [--env debian:12]   (npm run build first)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Pyro } from "../dist/sdk/index.js";
import { pct, rssMib } from "./stats.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "7" }, env: { type: "string", default: "debian:12" } },
});
const runs = Math.max(5, Number(values.runs));
const environment = values.env;
const cli = resolve(import.meta.dirname, "..", "dist", "cli", "main.js");
const now = () => performance.timeOrigin + performance.now();

const row = (label, xs, floor) => {
  const ratio = floor
    ? `  ${(pct(xs, 50) / floor.p50).toFixed(2)}x ${floor.name} (${floor.p50.toFixed(1)} ms)`
    : "";
  return `  ${label.padEnd(44)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms  p95 ${pct(xs, 95).toFixed(1).padStart(7)} ms${ratio}`;
};

/** Runs one whole process; resolves with its spawn and exit times (Unix ms) and stdout. */
function timed(argv, env) {
  return new Promise((done, fail) => {
    const spawnedAt = now();
    const child = spawn(process.execPath, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", fail);
    child.on("close", (code) => {
      const exitedAt = now();
      if (code === 0) done({ spawnedAt, exitedAt, out });
      else fail(new Error(`${argv.join(" ")} exited ${code}: ${err.slice(-500)}`));
    });
  });
}

/** The trace file's marks as event -> mark (the first of each name). */
function readMarks(file) {
  const marks = {};
  for (const line of readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const m = JSON.parse(line);
    marks[m.event] ??= m;
  }
  return marks;
}

function collect(into, phases) {
  for (const [name, value] of Object.entries(phases)) {
    into[name] ??= [];
    into[name].push(value);
  }
}

/** One agent round trip through the supervisor socket, in ms. */
function healthRoundTrip(socketPath) {
  return new Promise((done, fail) => {
    const t = performance.now();
    const req = http.request({ socketPath, method: "GET", path: "/v1/agent/health", agent: false }, (res) => {
      res.resume();
      res.on("end", () =>
        res.statusCode === 200 ? done(performance.now() - t) : fail(new Error(`health ${res.statusCode}`)),
      );
    });
    req.on("error", fail);
    req.end();
  });
}

const home = mkdtempSync("/tmp/pyro-bench-phases-");
const env = { ...process.env, PYRO_HOME: home };
const pyro = new Pyro({ stateDir: home });
try {
  console.log(`environment=${environment} runs=${runs} (TCG; a shared host makes every number noisy)`);

  // 1. Cold one-shot runs, interleaved with the Node floor.
  await timed([cli, "run", environment, "--", "true"], env); // warm-up: builds the boot initramfs
  const node = [];
  const run = {};
  for (let i = 0; i < runs; i++) {
    const n = await timed(["-e", "0"], env);
    node.push(n.exitedAt - n.spawnedAt);
    const file = join(home, `trace-run-${i}.jsonl`);
    const r = await timed([cli, "run", environment, "--", "true"], { ...env, PYRO_TRACE: file });
    const m = readMarks(file);
    collect(run, {
      cli: m.run_start.t_ms - r.spawnedAt,
      prep: m.supervisor_spawn.t_ms - m.run_start.t_ms,
      listen: m.listening.t_ms - m.supervisor_spawn.t_ms,
      boot: m.agent_ready.t_ms - m.vmm_spawn.t_ms,
      seen: m.ready_seen.t_ms - m.agent_ready.t_ms,
      exec: m.exec_done.t_ms - m.exec_request.t_ms - m.exec_done.duration_ms,
      teardown: r.exitedAt - m.exec_done.t_ms,
      total: r.exitedAt - r.spawnedAt,
    });
  }
  const nodeFloor = { name: "node -e 0", p50: pct(node, 50) };
  console.log(`\ncold \`pyro run ${environment} -- true\` (whole CLI process):`);
  console.log(row("CLI start (spawn -> core starts the run)", run.cli, nodeFloor));
  console.log(row("host prep (record, initramfs, config)", run.prep));
  console.log(row("supervisor spawn -> API listening", run.listen));
  console.log(row("VMM spawn -> agent ready (guest boot)", run.boot));
  console.log(row("agent ready -> core sees it", run.seen));
  console.log(row("exec round trip minus in-guest time", run.exec));
  console.log(row("teardown (exec done -> process exit)", run.teardown));
  console.log(row("total", run.total));

  // 2. One workspace.
  const ws = await pyro.createWorkspace({ environment });
  const id = ws.workspaceId;
  const runDir = join(home, "workspaces", id, "run");
  const socket = join(runDir, "sv.sock");
  for (let i = 0; i < 10; i++) await pyro.execWorkspace({ workspaceId: id, command: ["true"] }); // warm
  const health = [];
  const sdk = [];
  for (let i = 0; i < 30; i++) {
    health.push(await healthRoundTrip(socket));
    const t = performance.now();
    const r = await pyro.execWorkspace({ workspaceId: id, command: ["true"] });
    sdk.push(performance.now() - t - r.durationMs);
  }
  const cliExec = {};
  const node2 = [];
  for (let i = 0; i < runs; i++) {
    const n = await timed(["-e", "0"], env);
    node2.push(n.exitedAt - n.spawnedAt);
    const file = join(home, `trace-exec-${i}.jsonl`);
    const r = await timed([cli, "workspace", "exec", id, "--json", "--", "true"], {
      ...env,
      PYRO_TRACE: file,
    });
    const guestMs = JSON.parse(r.out).duration_ms;
    const m = readMarks(file);
    collect(cliExec, {
      wall: r.exitedAt - r.spawnedAt - guestMs,
      cli: m.exec_start.t_ms - r.spawnedAt,
      exec: m.exec_done.t_ms - m.exec_request.t_ms - m.exec_done.duration_ms,
      record: m.exec_recorded.t_ms - m.exec_done.t_ms,
      exit: r.exitedAt - m.exec_recorded.t_ms,
    });
  }
  const sv = JSON.parse(readFileSync(join(runDir, "sv.json"), "utf8"));
  const healthFloor = { name: "agent health round trip", p50: pct(health, 50) };
  console.log(`\nworkspace (${environment}):`);
  console.log(row("agent health round trip (floor)", health));
  console.log(row("SDK exec `true` minus in-guest time", sdk, healthFloor));
  console.log(
    row("`pyro workspace exec WS -- true` minus guest", cliExec.wall, {
      name: "node -e 0",
      p50: pct(node2, 50),
    }),
  );
  console.log(row("  CLI start (spawn -> exec starts)", cliExec.cli));
  console.log(row("  exec round trip minus in-guest time", cliExec.exec, healthFloor));
  console.log(row("  history and record (under the lock)", cliExec.record));
  console.log(row("  output and process exit", cliExec.exit));
  console.log(
    `  supervisor RSS ${rssMib(sv.supervisor_pid).toFixed(1)} MiB (target <= 12 MiB); QEMU RSS ${rssMib(sv.vmm_pid).toFixed(1)} MiB`,
  );
} finally {
  for (const w of (await pyro.listWorkspaces()).workspaces) await pyro.deleteWorkspace(w.workspaceId);
  rmSync(home, { recursive: true, force: true });
}
