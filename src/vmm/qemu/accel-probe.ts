/**
 * Decides whether KVM really boots a guest on this host. `/dev/kvm` existing is not enough:
 * under PVM (a paravirtualised nested KVM) stock kernels die in early boot with emulation
 * failures. The probe boots the guest kernel with no disk under `-accel kvm` and succeeds
 * only when the kernel reaches its root-mount panic, i.e. ran all of early boot.
 */
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";

export interface AccelProbeResult {
  kvmUsable: boolean;
  /** Human reason, e.g. "KVM present but guest probe failed: emulation failure". */
  reason: string;
  durationMs: number;
}

/** What KVM device access looks like, for `doctor`. */
export async function kvmDeviceAccess(path = "/dev/kvm") {
  const can = (mode: number) =>
    access(path, mode).then(
      () => true,
      () => false,
    );
  return {
    exists: await can(constants.F_OK),
    readable: await can(constants.R_OK),
    writable: await can(constants.W_OK),
  };
}

/** Classifies the probe's console and stderr output. Exported for unit tests. */
export function classifyProbeOutput(
  console: string,
  stderr: string,
): { ok: boolean; why: string } | undefined {
  if (/VFS: Unable to mount root|VFS: Cannot open root device|Kernel panic/.test(console)) {
    return { ok: true, why: "guest kernel booted under KVM" };
  }
  if (/emulation failure/i.test(stderr)) return { ok: false, why: "emulation failure" };
  if (/failed to set MSR/i.test(stderr)) return { ok: false, why: "MSR setup failed" };
  if (/Could not access KVM|failed to initialize kvm|No such file or directory/i.test(stderr)) {
    return { ok: false, why: "KVM could not be initialised" };
  }
  return undefined;
}

/** Boots `kernelPath` under KVM for at most `timeoutMs` and reports whether it worked. */
export async function probeKvm(
  qemuBinary: string,
  kernelPath: string,
  timeoutMs = 8000,
): Promise<AccelProbeResult> {
  const started = Date.now();
  const dev = await kvmDeviceAccess();
  if (!dev.exists) return { kvmUsable: false, reason: "/dev/kvm not present", durationMs: 0 };
  if (!dev.readable || !dev.writable)
    return { kvmUsable: false, reason: "/dev/kvm not accessible", durationMs: 0 };
  const args = [
    "--pdeathsig",
    "SIGKILL",
    "--",
    qemuBinary,
    ...[
      "-M",
      "microvm,acpi=off",
      "-accel",
      "kvm",
      "-cpu",
      "host,-arch-capabilities",
      "-m",
      "128",
      "-smp",
      "1",
    ],
    ...["-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-serial", "stdio"],
    ...["-kernel", kernelPath, "-append", "console=ttyS0 root=/dev/pyro-probe-none panic=-1 reboot=t"],
  ];
  return new Promise((resolve) => {
    const child = spawn("setpriv", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let verdict: { ok: boolean; why: string } | undefined;
    const finish = (v: { ok: boolean; why: string }) => {
      if (verdict) return;
      verdict = v;
      clearTimeout(timer);
      child.kill("SIGKILL");
      resolve({
        kvmUsable: v.ok,
        reason: v.ok ? v.why : `KVM present but guest probe failed: ${v.why}`,
        durationMs: Date.now() - started,
      });
    };
    const check = () => {
      const v = classifyProbeOutput(out, err);
      if (v) finish(v);
    };
    child.stdout.on("data", (d: Buffer) => {
      out = (out + d.toString()).slice(-8192);
      check();
    });
    child.stderr.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-8192);
      check();
    });
    child.on("error", (e) => finish({ ok: false, why: `cannot start QEMU (${e.message})` }));
    child.on("exit", () => finish(classifyProbeOutput(out, err) ?? { ok: false, why: "VMM exited early" }));
    const timer = setTimeout(() => finish({ ok: false, why: `no boot within ${timeoutMs} ms` }), timeoutMs);
  });
}
