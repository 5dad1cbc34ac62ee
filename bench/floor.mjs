/**
 * The bare-boot floor shared by the benchmarks: the same kernel, initramfs modules and rootfs
 * a guest boots, started by QEMU with exactly the command the supervisor runs
 * (`pyro-supervisor argv`), but PID 1 is dist/guest/ready-init (loads the modules, mounts the
 * root disk, prints READY): no agent, no host side. And a timer of whole CLI processes.
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { ensureBootInitrd } from "../dist/core/boot-initrd.js";
import { hostTscKhz } from "../dist/core/host.js";
import { packagePaths } from "../dist/core/paths.js";
import { vmmCommand } from "../dist/supervisor/vmm.js";

const cli = resolve(import.meta.dirname, "..", "dist", "cli", "main.js");

/**
 * The supervisor's QEMU command for the floor's VM, with the console chardev (a file, which the
 * supervisor caps) swapped for stdout, the one change, so READY can be timed as it arrives.
 */
export async function floorCommand(config, boot, initrdPath, accel, work) {
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

export async function bootFloorOnce(cmd) {
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

/** Runs the CLI; resolves with `{ ms, stdout, stderr }` (wall time in ms); rejects on failure. */
export function runCli(args, env) {
  const started = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d.toString();
    });
    child.stderr.on("data", (d) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolveRun({ ms: performance.now() - started, stdout: out, stderr: err })
        : reject(new Error(`pyro ${args.join(" ")}: exit ${code}: ${err}`)),
    );
  });
}

/** Runs the CLI; resolves with its wall time in ms (`withStderr`: `{ ms, stderr }`). */
export function timeCli(args, env, withStderr = false) {
  const started = performance.now();
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d.toString();
    });
    child.on("exit", (code) =>
      code === 0
        ? resolveRun(
            withStderr ? { ms: performance.now() - started, stderr: err } : performance.now() - started,
          )
        : reject(new Error(err)),
    );
  });
}

/** `runs` floor boots of `boot` (an environment's artifacts) under `accel`; ms each. */
export async function measureFloor(config, boot, accel, work, runs) {
  const initrd = await ensureBootInitrd(
    work,
    boot.modulesPath,
    boot.modulesSha256,
    packagePaths.readyInitBinary,
  );
  const cmd = await floorCommand(config, boot, initrd, accel, work);
  const floor = [];
  for (let i = 0; i < runs; i++) floor.push(await bootFloorOnce(cmd));
  return floor;
}
