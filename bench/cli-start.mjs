#!/usr/bin/env node
/**
 * CLI start-up cost against the Node floor, in one run: wall time of whole processes, run
 * round-robin (one of each case per round) so load on the machine hits every case alike.
 *
 * Cases: `node -e 0` (the floor), `pyro --version`, `pyro workspace exec --help` (the command
 * tree, no SDK), `pyro workspace exec nosuch -- true` against an empty PYRO_HOME (the whole host
 * path of an exec up to its first state read, no VM: it ends in workspace_not_found), and a bare
 * `import()` of the SDK entry (what an SDK user pays; with the schemas and zod, which the CLI's
 * bundle leaves off the exec path), which also reports the import's own in-process time (no
 * process start-up in it). `bench/cli-exec.mjs` times an exec against a real guest.
 *
 * `--modules` lists, per case, the modules the process loaded (ESM through a load hook, CommonJS
 * from the require cache at exit; node: builtins left out), grouped by package; `--list` prints
 * every one.
 *
 * Usage: node bench/cli-start.mjs [--runs N] [--modules [--list]]   (npm run build:ts first)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pct } from "./stats.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    modules: { type: "boolean", default: false },
    list: { type: "boolean", default: false },
  },
});
const runs = Math.max(10, Number(values.runs));
const root = resolve(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const sdk = join(root, "dist", "sdk", "index.js");
const home = mkdtempSync(join(tmpdir(), "pyro-bench-cli-"));
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

/** name, node argv, the exit status it must end with, and a check of its stdout. */
const cases = [
  { name: "node -e 0", argv: ["-e", "0"], status: 0 },
  { name: "pyro --version", argv: [cli, "--version"], status: 0, stdout: `${version}\n` },
  { name: "pyro workspace exec --help", argv: [cli, "workspace", "exec", "--help"], status: 0 },
  {
    name: "pyro workspace exec nosuch -- true",
    argv: [cli, "workspace", "exec", "nosuch", "--", "true"],
    status: 1,
  },
  {
    name: "import(sdk/index.js)",
    argv: [
      "--input-type=module",
      "-e",
      `const t = performance.now(); await import(${JSON.stringify(sdk)}); console.log(performance.now() - t)`,
    ],
    inProcessMs: [], // its stdout: the import time measured inside the process
  },
];

function once(c, extraArgv = [], env = {}) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [...extraArgv, ...c.argv], {
    cwd: root,
    env: { ...process.env, PYRO_HOME: home, ...env },
    encoding: "utf8",
  });
  const ms = performance.now() - started;
  const status = c.status ?? 0;
  if (r.status !== status || (c.stdout !== undefined && r.stdout !== c.stdout)) {
    throw new Error(
      `${c.name}: exit ${r.status} (want ${status}), stdout ${JSON.stringify(r.stdout)}, stderr ${r.stderr}`,
    );
  }
  c.inProcessMs?.push(Number(r.stdout));
  return ms;
}

// Records every ESM module through a load hook and, at exit, every CommonJS module in the
// require cache (CommonJS required from CommonJS never passes the ESM hooks on Node 20).
const hook = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.PYRO_BENCH_MODLOG, url + "\\n");
  return next(url, context);
}`;
const preload = `import { register, createRequire } from "node:module";
import { appendFileSync } from "node:fs";
register("data:text/javascript,${encodeURIComponent(hook)}");
process.on("exit", () => {
  const cache = createRequire(${JSON.stringify(`${root}/`)}).cache;
  appendFileSync(process.env.PYRO_BENCH_MODLOG, Object.keys(cache).map((p) => "file://" + p + "\\n").join(""));
});`;

/** A module URL as `dist/...` or `node_modules/...` (node_modules may be a symlink elsewhere). */
const shortName = (u) => {
  const nm = u.lastIndexOf("/node_modules/");
  return nm >= 0 ? u.slice(nm + 1) : u.replace(`file://${root}/`, "");
};

function modulesOf(c) {
  const log = join(home, "modules.log");
  rmSync(log, { force: true });
  once(c, ["--import", `data:text/javascript,${encodeURIComponent(preload)}`], { PYRO_BENCH_MODLOG: log });
  const urls = [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
  const files = urls.filter((u) => u.startsWith("file://") && !u.startsWith(`file://${join(root, "bench")}`));
  // dist/<dir> for pyro's own modules, the package name for dependencies.
  const group = (u) => {
    const [top, a, b] = shortName(u).split("/");
    if (top === "node_modules") return a.startsWith("@") ? `${a}/${b}` : a;
    return top === "dist" ? `dist/${a.replace(/\.js$/, "")}` : top;
  };
  const counts = new Map();
  for (const u of files) counts.set(group(u), (counts.get(group(u)) ?? 0) + 1);
  return { files, counts };
}

try {
  if (values.modules) {
    for (const c of cases) {
      const { files, counts } = modulesOf(c);
      const groups = [...counts].map(([g, n]) => `${g} ${n}`).join(", ");
      console.log(`${c.name}: ${files.length} files${groups ? `: ${groups}` : ""}`);
      if (values.list) for (const u of files) console.log(`  ${shortName(u)}`);
    }
  } else {
    for (const c of cases) once(c); // warm the page cache; not counted
    for (const c of cases) c.inProcessMs?.splice(0);
    const times = cases.map(() => []);
    for (let i = 0; i < runs; i++) {
      for (const [k, c] of cases.entries()) times[k].push(once(c));
    }
    const floor = pct(times[0], 50);
    console.log(`${runs} rounds, round-robin; node ${process.version}; floor = node -e 0 p50`);
    console.log(`${"case".padEnd(36)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)}  p50/floor`);
    cases.forEach((c, k) => {
      const p50 = pct(times[k], 50);
      const line = `${c.name.padEnd(36)} ${p50.toFixed(1).padStart(8)} ${pct(times[k], 95).toFixed(1).padStart(8)}`;
      console.log(`${line}  ${(p50 / floor).toFixed(2)}x (floor ${floor.toFixed(1)} ms)`);
    });
    for (const c of cases.filter((c) => c.inProcessMs)) {
      const xs = c.inProcessMs;
      const line = `${`${c.name}, in-process`.padEnd(36)} ${pct(xs, 50).toFixed(1).padStart(8)} ${pct(xs, 95).toFixed(1).padStart(8)}`;
      console.log(`${line}  (the import alone)`);
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
