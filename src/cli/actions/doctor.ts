/** `pyro doctor`: the host report, as text or JSON; exit 1 when the runtime cannot boot guests. */
import type { DoctorReport } from "../../sdk/index.js";
import type { CliContext } from "../context.js";
import { printJson } from "../output.js";

const yes = (b: boolean | null) => (b === null ? "unknown" : b ? "yes" : "no");

export function renderDoctor(r: DoctorReport): string {
  const vmm =
    r.vmms
      .map((v) =>
        v.available
          ? `${v.name} ${v.version ?? "?"} (${v.path}, ${v.executionMode})`
          : `${v.name} unavailable: ${v.reason}${v.path ? ` (${v.path})` : ""}`,
      )
      .join("; ") || "unknown";
  const lines = [
    `Platform: ${r.platform}`,
    `Runtime: ${r.runtimeOk ? "PASS" : "FAIL"}`,
    `KVM: exists=${yes(r.kvm.exists)} readable=${yes(r.kvm.readable)} writable=${yes(r.kvm.writable)} guest_boots=${yes(r.kvm.guestBoots)}`,
    `Acceleration: ${r.acceleration ?? "none"} (${r.accelerationReason})`,
    `VMMs: ${vmm}`,
    `Guest agent: ${r.agentBinary.present ? "built" : "missing"} (${r.agentBinary.path})`,
    `Environment cache: ${r.environmentCacheDir}`,
    `Installed environments: ${r.installedEnvironments.join(", ") || "none"}`,
    ...r.environmentKernels.map(
      (k) =>
        `Kernel: ${k.environment} boots ${k.package} ${k.version} (${k.flavor === "debian" ? "Debian prebuilt" : "custom build"}, release ${k.release})`,
    ),
    `State dir: ${r.stateDir}${r.stateDirFreeMib === null ? "" : ` (${r.stateDirFreeMib} MiB free for sparse workspace disks)`}`,
    `Capabilities: vm_boot=${yes(r.capabilities.vmBoot)} guest_exec=${yes(r.capabilities.guestExec)} guest_network=${yes(r.capabilities.guestNetwork)}`,
    `Networking: tun=${yes(r.networking.tun)} ip_forward=${yes(r.networking.ipForward)} nft=${r.networking.nft ?? "missing"} iptables=${r.networking.iptables ?? "missing"} firewall=${r.networking.firewall ?? "none"} available=${yes(r.networking.available)}${r.networking.reason ? ` (${r.networking.reason})` : ""}`,
    ...r.problems.map((p) => `Problem: ${p}`),
  ];
  return `${lines.join("\n")}\n`;
}

export async function doctor(ctx: CliContext, flags: { json: boolean }): Promise<void> {
  const report = await (await ctx.pyro()).doctor();
  if (flags.json) printJson(report);
  else process.stdout.write(renderDoctor(report));
  ctx.exitCode = report.runtimeOk ? 0 : 1;
}
