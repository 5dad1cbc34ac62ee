/** Host diagnosis for `pyro doctor`: platform, KVM, VMMs, acceleration, cache, capabilities. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { arch, platform } from "node:os";
import { dirname } from "node:path";
import { promisify } from "node:util";
import type { DoctorReport } from "../contract/records/doctor.js";
import { PyroError } from "../errors.js";
import type { ProbeReport } from "../supervisor/protocol.js";
import type { PyroConfig } from "./config.js";
import { listEnvironments } from "./environments/registry.js";
import { probeHost, selectedDriver } from "./host.js";
import { networkReport } from "./network/report.js";
import { packagePaths } from "./paths.js";

const run = promisify(execFile);

async function which(binary: string): Promise<string | null> {
  try {
    const { stdout } = await run("sh", ["-c", `command -v ${binary}`]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/**
 * Builds the report. The VMM facts come from the drivers' probe (`pyro-supervisor probe`),
 * which boots the first installed environment's kernel under KVM when no verdict is cached.
 */
export async function diagnose(config: PyroConfig): Promise<DoctorReport> {
  const problems: string[] = [];
  const envs = await listEnvironments(config.cacheDir);
  const installed = envs.filter((e) => e.installed);
  const agentPath = config.agentPath ?? packagePaths.agentBinary;
  const agentPresent = existsSync(agentPath);
  if (!agentPresent) problems.push(`guest agent not built (${agentPath}): run npm run build:agent`);
  const supervisorPresent = existsSync(packagePaths.supervisorEntry);
  if (!supervisorPresent)
    problems.push(`supervisor not built (${packagePaths.supervisorEntry}): run npm run build:host`);
  if (installed.length === 0) problems.push("no environment installed: run `pyro env pull debian:12`");
  if (!(await which("debugfs"))) problems.push("debugfs (e2fsprogs) not found");
  if (!(await which("resize2fs")))
    problems.push("resize2fs (e2fsprogs) not found: workspace disks cannot grow");
  const stateDirFreeMib = await freeMib(config.stateDir);
  if (stateDirFreeMib !== null && stateDirFreeMib < LOW_FREE_MIB) {
    problems.push(
      `only ${stateDirFreeMib} MiB free under ${config.stateDir}: workspace disks grow there as guests write`,
    );
  }
  if (!(await which("cpio")))
    problems.push("cpio not found (builds the guest initramfs): apt-get install cpio");

  // PYRO_ACCEL=kvm|tcg skips the probe boot (a cached verdict is still shown).
  const kernel =
    config.accel === "auto" && installed[0]?.manifest ? `${installed[0].installDir}/vmlinux` : undefined;
  const probe = supervisorPresent ? await probeOrProblem(config, kernel, problems) : undefined;
  const selected = probe ? selectedDriver(probe) : undefined;
  if (selected && !selected.available) {
    problems.push(
      `VMM ${selected.driver} unavailable: ${selected.reason}${selected.hint ? ` (${selected.hint})` : ""}`,
    );
  }
  if (selected?.cache_error) {
    problems.push(`KVM probe verdict not cached (${selected.cache_error}): every boot probes again`);
  }
  let acceleration: "kvm" | "tcg" | null = selected?.available ? selected.acceleration || null : null;
  let reason = selected?.available
    ? selected.acceleration_reason
    : (selected?.reason ?? "unknown: the VMM probe did not run");
  if (acceleration === null && selected?.available && installed.length === 0) {
    reason = `${reason}; no guest kernel installed yet to probe KVM with`;
  }
  if (config.accel !== "auto") {
    acceleration = config.accel;
    reason = `forced by PYRO_ACCEL=${config.accel}`;
  }
  const net = await networkReport();
  const vmBoot = selected?.available === true && installed.length > 0 && agentPresent && supervisorPresent;
  return {
    platform: `${platform()}-${arch() === "x64" ? "x86_64" : arch()}`,
    runtime_ok: problems.length === 0,
    kvm: {
      exists: probe?.kvm.exists ?? null,
      readable: probe?.kvm.readable ?? null,
      writable: probe?.kvm.writable ?? null,
      guest_boots: probe?.drivers.find((d) => d.driver === "qemu")?.kvm_guest_boots ?? null,
      reason,
    },
    vmms: (probe?.drivers ?? []).map((d) => ({
      name: d.driver,
      path: d.binary || null,
      version: d.version || null,
      available: d.available,
      ...(d.available ? {} : { reason: d.reason }),
      execution_mode: d.execution_mode,
    })),
    acceleration,
    acceleration_reason: reason,
    environment_cache_dir: config.cacheDir,
    state_dir: config.stateDir,
    state_dir_free_mib: stateDirFreeMib,
    installed_environments: installed.map((e) => e.entry.name),
    environment_kernels: installed.flatMap((e) =>
      e.manifest
        ? [
            {
              environment: e.entry.name,
              flavor: e.manifest.kernel_flavor,
              package: String(e.manifest.kernel_build.source_package ?? "unknown"),
              version: String(e.manifest.kernel_build.source_version ?? "unknown"),
              release: e.manifest.kernel_release,
            },
          ]
        : [],
    ),
    agent_binary: { path: agentPath, present: agentPresent },
    capabilities: { vm_boot: vmBoot, guest_exec: vmBoot, guest_network: net.available },
    networking: {
      tun: net.tun,
      ip_forward: net.ip_forward,
      nft: await which("nft"),
      iptables: await which("iptables"),
      firewall: net.firewall,
      root: net.root,
      available: net.available,
      ...(net.reason ? { reason: net.reason } : {}),
    },
    problems,
  };
}

/** The drivers' probe, or undefined with the reason in `problems` (the report goes on). */
async function probeOrProblem(
  config: PyroConfig,
  kernel: string | undefined,
  problems: string[],
): Promise<ProbeReport | undefined> {
  try {
    return await probeHost(config, kernel);
  } catch (err) {
    problems.push(`VMM probe failed: ${err instanceof PyroError ? err.message : String(err)}`);
    return undefined;
  }
}

/** Below this much free space (MiB) under the state dir, doctor reports a problem. */
const LOW_FREE_MIB = 4096;

/** Free MiB (for an unprivileged user) of the file system holding `dir` or its nearest parent. */
async function freeMib(dir: string): Promise<number | null> {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = await statfs(d);
      return Math.floor((s.bavail * s.bsize) / (1024 * 1024));
    } catch {
      if (dirname(d) === d) return null;
    }
  }
}
