#!/usr/bin/env node
/**
 * Cold `pyro run ENV -- true` versus the bare-boot floor, in one run, for each guest kernel:
 * Debian's prebuilt cloud kernel (the default) and, when it is built, pyro's custom kernel
 * (`PYRO_KERNEL=custom`), so the trade-off between them is visible.
 *
 * Floor: the same kernel, initramfs modules and rootfs, booted by QEMU with exactly the command
 * the supervisor runs (`pyro-supervisor argv`, the Go driver's one argv builder; only the serial
 * console goes to stdout instead of console.log), but PID 1 is dist/guest/ready-init: it loads
 * the modules, mounts the root disk (the boot work every guest needs), prints READY and reboots;
 * no pyro agent or host side involved. It is timed from spawning QEMU to READY on the console.
 * Cold run: wall time of the whole CLI process `pyro run ENV -- true`, fresh VM each time
 * (after one warm-up that builds the boot initramfs, reported separately).
 *
 * Usage: node bench/run-cold.mjs [--runs N] [--env debian:12]   (npm run build first)
 */
import { spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureBootInitrd } from "../dist/core/boot-initrd.js";
import { resolveConfig } from "../dist/core/config.js";
import { requireInstalled } from "../dist/core/environments/registry.js";
import { hostTscKhz, resolveAcceleration } from "../dist/core/host.js";
import { cachePaths, packagePaths } from "../dist/core/paths.js";
import { vmmCommand } from "../dist/supervisor/vmm.js";
import { pct } from "./stats.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "7" }, env: { type: "string", default: "debian:12" } },
});
const runs = Math.max(5, Number(values.runs));
const environment = values.env;
const cli = resolve(import.meta.dirname, "..", "dist", "cli", "main.js");

const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;

/**
 * The supervisor's QEMU command for the floor's VM, with the console chardev (a file, which the
 * supervisor caps) swapped for stdout, the one change, so READY can be timed as it arrives.
 */
async function floorCommand(config, boot, initrdPath, accel, work) {
  const cmd = await vmmCommand(packagePaths.supervisorEntry, {
    vm: {
      vmId: "bench",
      kernelPath: boot.kernelPath,
      initrdPath,
      deviceDiscovery: boot.deviceDiscovery,
      rootfsPath: boot.rootfsPath,
      diskMode: "ephemeral",
      vcpuCount: 1,
      memMib: 1024,
      accel,
      tscKhz: hostTscKhz(),
      runDir: work,
      agentSocketPath: join(work, "agent.sock"),
      consoleLogPath: join(work, "unused.log"),
      tmpDir: work,
    },
    vmm: "qemu",
    qemuBinary: config.qemuBinary,
    ttlSeconds: 0,
    ownerPid: null,
    bootTimeoutMs: 90_000,
    socketPath: join(work, "sv.sock"),
    pidPath: join(work, "sv.pid"),
    statePath: join(work, "sv.json"),
    logPath: join(work, "sv.log"),
  });
  const consoleArgs = cmd.args.filter((a) => a.startsWith("file,id=console,"));
  if (consoleArgs.length !== 1) throw new Error(`expected one console chardev in ${cmd.args.join(" ")}`);
  cmd.args = cmd.args.map((a) => (a === consoleArgs[0] ? "stdio,id=console,signal=off" : a));
  return cmd;
}

async function bootFloorOnce(cmd) {
  const started = performance.now();
  return new Promise((resolveBoot, reject) => {
    const child = spawn(cmd.binary, cmd.args, {
      cwd: cmd.dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...cmd.env },
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

/**
 * A cache dir whose `environment` boots the custom kernel: it shares the main cache's kernels
 * and hard-links its rootfs, then `env pull` with PYRO_KERNEL=custom swaps only the kernel.
 * Undefined when no custom kernel is built (that takes ~10 min: PYRO_KERNEL=custom pyro env pull).
 */
async function customKernelCache(mainCache, work) {
  const kernels = readdirSync(join(mainCache, "kernels")).filter((k) => /^linux-6\.1-r\d+-\w+$/.test(k));
  if (kernels.length === 0) return undefined;
  const cache = join(work, "cache-custom");
  const main = requireInstalledDir(mainCache);
  const dir = cachePaths.environmentDir(cache, environment, main.version);
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(mainCache, "kernels"), join(cache, "kernels"));
  if (existsSync(join(mainCache, "host")))
    cpSync(join(mainCache, "host"), join(cache, "host"), { recursive: true });
  linkSync(cachePaths.rootfs(main.dir), cachePaths.rootfs(dir));
  cpSync(cachePaths.manifest(main.dir), cachePaths.manifest(dir));
  const env = { ...process.env, PYRO_ENVIRONMENT_CACHE_DIR: cache, PYRO_KERNEL: "custom" };
  await timeCli(["env", "pull", environment], env); // kernel missing? this would compile it
  return cache;
}

function requireInstalledDir(cacheDir) {
  const root = cachePaths.environmentRoot(cacheDir, environment);
  const version = readdirSync(root).find((v) => existsSync(cachePaths.manifest(join(root, v))));
  return { version, dir: join(root, version) };
}

async function measure(label, cacheDir, work) {
  const config = resolveConfig({ cacheDir });
  const boot = await requireInstalled(cacheDir, environment);
  const accel = await resolveAcceleration(config, boot.kernelPath);
  const floorInitrd = await ensureBootInitrd(
    work,
    boot.modulesPath,
    boot.modulesSha256,
    packagePaths.readyInitBinary,
  );
  const cmd = await floorCommand(config, boot, floorInitrd, accel.accel, work);
  const floor = [];
  for (let i = 0; i < runs; i++) floor.push(await bootFloorOnce(cmd));
  const home = mkdtempSync("/tmp/pyro-bh-");
  try {
    const env = { ...process.env, PYRO_HOME: home, PYRO_ENVIRONMENT_CACHE_DIR: cacheDir };
    const warmup = await timeCli(["run", environment, "--", "true"], env);
    const cold = [];
    for (let i = 0; i < runs; i++) cold.push(await timeCli(["run", environment, "--", "true"], env));
    const kernel = `${boot.manifest.kernel_build.source_package} ${boot.manifest.kernel_build.source_version}`;
    console.log(`\n[${label}] kernel=${kernel} acceleration=${accel.accel} runs=${runs}`);
    console.log(
      `  bare boot floor (QEMU -> READY):  p50 ${fmt(pct(floor, 50))}  p95 ${fmt(pct(floor, 95))}  min ${fmt(Math.min(...floor))}`,
    );
    console.log(
      `  pyro run ${environment} -- true:   p50 ${fmt(pct(cold, 50))}  p95 ${fmt(pct(cold, 95))}  min ${fmt(Math.min(...cold))}`,
    );
    console.log(`  first run (builds the boot initramfs): ${fmt(warmup)}`);
    console.log(
      `  cold p50 / floor p50: ${(pct(cold, 50) / pct(floor, 50)).toFixed(2)}x; cold p50 - floor p50: ${fmt(pct(cold, 50) - pct(floor, 50))}`,
    );
    return { floor: pct(floor, 50), cold: pct(cold, 50) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const mainCache = resolveConfig().cacheDir;
const work = mkdtempSync("/tmp/pyro-bench-");
try {
  console.log(`environment=${environment} runs=${runs} (TCG boots are noisy on a shared host)`);
  const debian = await measure("debian (default)", mainCache, work);
  const customCache = await customKernelCache(mainCache, work);
  if (customCache) {
    const custom = await measure("custom (PYRO_KERNEL=custom)", customCache, work);
    console.log(
      `\ncustom vs debian: floor p50 ${(custom.floor / debian.floor).toFixed(2)}x, pyro run p50 ${(custom.cold / debian.cold).toFixed(2)}x`,
    );
  } else {
    console.log(
      "\n[custom] not built here: `PYRO_KERNEL=custom pyro env pull debian:12` compiles it (~10 min)",
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
