/** Host diagnosis for `pyro doctor`: platform, KVM, VMMs, acceleration, cache, capabilities. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { arch, platform } from "node:os";
import { promisify } from "node:util";
import { kvmDeviceAccess } from "../vmm/qemu/accel-probe.js";
import type { PyroConfig } from "./config.js";
import { listEnvironments } from "./environments/registry.js";
import { cachedAccel, resolveAcceleration } from "./host.js";
import type { FirewallKind } from "./network/firewall.js";
import { networkReport } from "./network/report.js";
import { packagePaths } from "./paths.js";

const run = promisify(execFile);

async function versionOf(binary: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run(binary, args, { timeout: 5000 });
    return stdout.split("\n")[0]?.trim() ?? null;
  } catch {
    return null;
  }
}

async function which(binary: string): Promise<string | null> {
  try {
    const { stdout } = await run("sh", ["-c", `command -v ${binary}`]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

export interface DoctorReport {
  platform: string;
  runtimeOk: boolean;
  kvm: { exists: boolean; readable: boolean; writable: boolean; guestBoots: boolean | null; reason: string };
  vmms: { name: string; path: string | null; version: string | null }[];
  acceleration: "kvm" | "tcg" | null;
  accelerationReason: string;
  environmentCacheDir: string;
  stateDir: string;
  installedEnvironments: string[];
  /**
   * The guest kernel each installed environment boots: flavor (`debian` = Debian's prebuilt
   * cloud kernel, `custom` = compiled here), source package and version, kernel release.
   */
  environmentKernels: {
    environment: string;
    flavor: "debian" | "custom";
    package: string;
    version: string;
    release: string;
  }[];
  agentBinary: { path: string; present: boolean };
  capabilities: { vmBoot: boolean; guestExec: boolean; guestNetwork: boolean };
  /**
   * Workspace networking (policies `egress`, `egress+published-ports`): `/dev/net/tun` usable,
   * IPv4 forwarding on now, paths of `nft`/`iptables`, the firewall pyro would use, root, and
   * whether networked workspaces can start (`reason` when not).
   */
  networking: {
    tun: boolean;
    ipForward: boolean;
    nft: string | null;
    iptables: string | null;
    firewall: FirewallKind | null;
    root: boolean;
    available: boolean;
    reason?: string;
  };
  problems: string[];
}

/** Builds the report. Runs the KVM probe boot when no verdict is cached and a kernel exists. */
export async function diagnose(config: PyroConfig): Promise<DoctorReport> {
  const problems: string[] = [];
  const kvm = await kvmDeviceAccess();
  const qemuPath = await which(config.qemuBinary);
  const qemuVersion = qemuPath ? await versionOf(config.qemuBinary, ["--version"]) : null;
  const fcPath = await which("firecracker");
  const envs = await listEnvironments(config.cacheDir);
  const installed = envs.filter((e) => e.installed);
  const agentPath = config.agentPath ?? packagePaths.agentBinary;
  const agentPresent = existsSync(agentPath);
  if (!qemuPath) problems.push(`QEMU (${config.qemuBinary}) not found: install qemu-system-x86`);
  if (!agentPresent) problems.push(`guest agent not built (${agentPath}): run npm run build:agent`);
  const supervisorPresent = existsSync(packagePaths.supervisorEntry);
  if (!supervisorPresent)
    problems.push(`supervisor not built (${packagePaths.supervisorEntry}): run npm run build:host`);
  if (installed.length === 0) problems.push("no environment installed: run `pyro env pull debian:12`");
  if (!(await which("setpriv"))) problems.push("setpriv (util-linux) not found");
  if (!(await which("debugfs"))) problems.push("debugfs (e2fsprogs) not found");
  if (!(await which("cpio")))
    problems.push("cpio not found (builds the guest initramfs): apt-get install cpio");

  let acceleration: "kvm" | "tcg" | null = null;
  let reason = "no guest kernel installed yet to probe KVM with";
  let guestBoots: boolean | null = null;
  const kernel = installed[0]?.manifest ? `${installed[0].installDir}/vmlinux` : undefined;
  if (qemuPath && kernel) {
    const decision = await resolveAcceleration(config.cacheDir, config.qemuBinary, kernel, config.accel);
    acceleration = decision.accel;
    reason = decision.reason;
    const cached = await cachedAccel(config.cacheDir, config.qemuBinary);
    guestBoots = cached ? cached.kvm_usable : null;
  } else if (!kvm.exists) {
    reason = "/dev/kvm not present; using TCG";
    acceleration = qemuPath ? "tcg" : null;
  }
  const net = await networkReport();
  const vmBoot = qemuPath !== null && installed.length > 0 && agentPresent && supervisorPresent;
  return {
    platform: `${platform()}-${arch() === "x64" ? "x86_64" : arch()}`,
    runtimeOk: problems.length === 0,
    kvm: { ...kvm, guestBoots, reason },
    vmms: [
      { name: "qemu", path: qemuPath, version: qemuVersion },
      {
        name: "firecracker",
        path: fcPath,
        version: fcPath ? await versionOf("firecracker", ["--version"]) : null,
      },
    ],
    acceleration,
    accelerationReason: reason,
    environmentCacheDir: config.cacheDir,
    stateDir: config.stateDir,
    installedEnvironments: installed.map((e) => e.entry.name),
    environmentKernels: installed.flatMap((e) =>
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
    agentBinary: { path: agentPath, present: agentPresent },
    capabilities: { vmBoot, guestExec: vmBoot, guestNetwork: net.available },
    networking: {
      tun: net.tun,
      ipForward: net.ip_forward,
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
