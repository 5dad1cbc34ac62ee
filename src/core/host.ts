/**
 * Host facts: which accelerator to use (cached KVM probe verdict per host kernel and QEMU),
 * the TSC frequency for TCG guests, and the VMM binaries present.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { release, version } from "node:os";
import { join } from "node:path";
import type { Acceleration } from "../vmm/driver.js";
import { probeKvm } from "../vmm/qemu/accel-probe.js";
import { writeJsonAtomic } from "./fs-atomic.js";
import { withLock } from "./lock.js";

export interface AccelDecision {
  accel: Acceleration;
  /** Why, e.g. "KVM present but guest probe failed: emulation failure; using TCG". */
  reason: string;
  /** True when the verdict came from the cache rather than a probe boot just now. */
  cached: boolean;
}

interface ProbeCache {
  host_kernel: string;
  qemu_binary: string;
  kvm_usable: boolean;
  reason: string;
  probed_at: string;
  duration_ms: number;
}

/** The probe verdict lives beside the environment cache: it is per host, not per state dir. */
export function accelProbeCachePath(cacheDir: string): string {
  return join(cacheDir, "host", "accel-probe.json");
}

function hostKernelId(): string {
  return `${release()} ${version()}`;
}

/** Reads the cached verdict for this host kernel and QEMU binary, if any. */
export async function cachedAccel(cacheDir: string, qemuBinary: string): Promise<ProbeCache | undefined> {
  try {
    const c = JSON.parse(await readFile(accelProbeCachePath(cacheDir), "utf8")) as ProbeCache;
    return c.host_kernel === hostKernelId() && c.qemu_binary === qemuBinary ? c : undefined;
  } catch {
    return undefined;
  }
}

function decision(kvmUsable: boolean, reason: string, cached: boolean): AccelDecision {
  return kvmUsable
    ? { accel: "kvm", reason: `${reason}; using KVM`, cached }
    : { accel: "tcg", reason: `${reason}; using TCG`, cached };
}

/**
 * Chooses kvm or tcg. `forced` (PYRO_ACCEL) wins; else the cached probe verdict; else one
 * probe boot of `kernelPath` under KVM (at most 8 s, once per host kernel).
 */
export async function resolveAcceleration(
  cacheDir: string,
  qemuBinary: string,
  kernelPath: string,
  forced: "kvm" | "tcg" | "auto",
): Promise<AccelDecision> {
  if (forced !== "auto") return { accel: forced, reason: `forced by PYRO_ACCEL=${forced}`, cached: false };
  const hit = await cachedAccel(cacheDir, qemuBinary);
  if (hit) return decision(hit.kvm_usable, hit.reason, true);
  const path = accelProbeCachePath(cacheDir);
  return withLock(
    path,
    async () => {
      const again = await cachedAccel(cacheDir, qemuBinary);
      if (again) return decision(again.kvm_usable, again.reason, true);
      const probe = await probeKvm(qemuBinary, kernelPath);
      const record: ProbeCache = {
        host_kernel: hostKernelId(),
        qemu_binary: qemuBinary,
        kvm_usable: probe.kvmUsable,
        reason: probe.reason,
        probed_at: new Date().toISOString(),
        duration_ms: probe.durationMs,
      };
      await writeJsonAtomic(path, record, 0o644);
      return decision(probe.kvmUsable, probe.reason, false);
    },
    { waitMs: 60_000 },
  );
}

/** Host TSC frequency in kHz from /proc/cpuinfo (`cpu MHz`), or undefined. */
export function hostTscKhz(cpuinfo = readFileSync("/proc/cpuinfo", "utf8")): number | undefined {
  const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo);
  return m?.[1] ? Math.round(Number(m[1]) * 1000) : undefined;
}
