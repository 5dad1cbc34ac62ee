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
 * Cold run: wall time of the whole CLI process `pyro run --cold ENV -- true`, fresh VM each
 * time (after one warm-up that builds the boot initramfs, reported separately); restores from
 * VM templates are bench/template.mjs's.
 *
 * Usage: node bench/run-cold.mjs [--runs N] [--env debian:12]   (npm run build first)
 */
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
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resolveConfig } from "../dist/core/config.js";
import { requireInstalled } from "../dist/core/environments/registry.js";
import { resolveAcceleration } from "../dist/core/host.js";
import { cachePaths } from "../dist/core/paths.js";
import { measureFloor, timeCli } from "./floor.mjs";
import { pct } from "./stats.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "7" }, env: { type: "string", default: "debian:12" } },
});
const runs = Math.max(5, Number(values.runs));
const environment = values.env;

const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;

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
  const floor = await measureFloor(config, boot, accel.accel, work, runs);
  const home = mkdtempSync("/tmp/pyro-bh-");
  try {
    const env = { ...process.env, PYRO_HOME: home, PYRO_ENVIRONMENT_CACHE_DIR: cacheDir };
    // --cold: this is the cold boot's benchmark; bench/template.mjs times restores.
    const warmup = await timeCli(["run", "--cold", environment, "--", "true"], env);
    const cold = [];
    for (let i = 0; i < runs; i++)
      cold.push(await timeCli(["run", "--cold", environment, "--", "true"], env));
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
