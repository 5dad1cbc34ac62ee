#!/usr/bin/env node
/**
 * Cold `pyro run ENV -- true` versus the bare-boot floor, in one run.
 *
 * Floor: the same kernel and rootfs, booted by QEMU with the same argv pyro uses, but with a
 * static PID 1 (dist/guest/ready-init) that prints READY and reboots; no pyro involved. It is
 * timed from spawning QEMU to READY on the serial console.
 * Cold run: wall time of the whole CLI process `pyro run ENV -- true`, fresh VM each time
 * (after one warm-up that builds the shared agent image, reported separately).
 *
 * Usage: node bench/run-cold.mjs [--runs N] [--env debian:12]   (npm run build first)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { resolveConfig } from "../dist/core/config.js";
import { requireInstalled } from "../dist/core/environments/registry.js";
import { injectAgent } from "../dist/core/guest-image.js";
import { hostTscKhz, resolveAcceleration } from "../dist/core/host.js";
import { packagePaths } from "../dist/core/paths.js";
import { runProgram } from "../dist/core/process-run.js";
import { qemuArgs } from "../dist/vmm/qemu/args.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "7" }, env: { type: "string", default: "debian:12" } },
});
const runs = Math.max(5, Number(values.runs));
const environment = values.env;
const cli = resolve(import.meta.dirname, "..", "dist", "cli", "main.js");

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;

async function bootFloorOnce(config, kernel, image, accel, work) {
  const args = qemuArgs({
    vmId: "bench",
    kernelPath: kernel,
    rootfsPath: image,
    diskMode: "ephemeral",
    vcpuCount: 1,
    memMib: 1024,
    accel,
    tscKhz: hostTscKhz(),
    initPath: "/usr/sbin/ready-init",
    runDir: work,
    agentSocketPath: join(work, "agent.sock"),
    consoleLogPath: join(work, "unused.log"),
    tmpDir: work,
  }).map((a) => (a.startsWith("file,id=console,") ? "stdio,id=console,signal=off" : a));
  const started = performance.now();
  return new Promise((resolveBoot, reject) => {
    const child = spawn(config.qemuBinary, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TMPDIR: work },
    });
    let out = "";
    let readyAt;
    let err = "";
    child.stderr.on("data", (d) => {
      err += d.toString();
    });
    child.stdout.on("data", (d) => {
      out += d.toString();
      if (readyAt === undefined && out.includes("READY")) {
        readyAt = performance.now() - started;
        child.kill("SIGKILL"); // the floor ends at READY; power-off is not part of it
      }
    });
    child.on("error", reject);
    child.on("exit", () =>
      readyAt === undefined
        ? reject(new Error(`floor boot failed: ${out.slice(-300)} ${err.slice(-500)}`))
        : resolveBoot(readyAt),
    );
    setTimeout(() => child.kill("SIGKILL"), 60_000).unref();
  });
}

function timeCli(args, env) {
  const started = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolveRun(performance.now() - started) : reject(new Error(err)),
    );
  });
}

const config = resolveConfig();
const boot = await requireInstalled(config.cacheDir, environment);
const accel = await resolveAcceleration(config.cacheDir, config.qemuBinary, boot.kernelPath, config.accel);
const work = mkdtempSync("/tmp/pyro-bench-");
const home = mkdtempSync("/tmp/pyro-bh-");
try {
  const floorImage = join(work, "floor.ext4");
  await runProgram(["cp", "--sparse=always", boot.rootfsPath, floorImage]);
  await injectAgent(floorImage, packagePaths.readyInitBinary, work, "/usr/sbin/ready-init");

  console.log(`environment=${environment} acceleration=${accel.accel} (${accel.reason}) runs=${runs}`);
  const floor = [];
  for (let i = 0; i < runs; i++)
    floor.push(await bootFloorOnce(config, boot.kernelPath, floorImage, accel.accel, work));

  const env = { ...process.env, PYRO_HOME: home };
  const warmup = await timeCli(["run", environment, "--", "true"], env);
  const cold = [];
  for (let i = 0; i < runs; i++) cold.push(await timeCli(["run", environment, "--", "true"], env));

  console.log(
    `bare boot floor (QEMU -> READY):  p50 ${fmt(pct(floor, 50))}  p95 ${fmt(pct(floor, 95))}  min ${fmt(Math.min(...floor))}`,
  );
  console.log(
    `pyro run ${environment} -- true:   p50 ${fmt(pct(cold, 50))}  p95 ${fmt(pct(cold, 95))}  min ${fmt(Math.min(...cold))}`,
  );
  console.log(`first run (builds the agent image): ${fmt(warmup)}`);
  console.log(
    `ratio cold p50 / floor p50: ${(pct(cold, 50) / pct(floor, 50)).toFixed(2)}x (target <= 1.30x)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
