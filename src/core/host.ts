/**
 * Host facts: which accelerator to use and why, as the VMM driver's own probe decides it
 * (`pyro-supervisor probe`: the driver boots the guest kernel under KVM once per host kernel
 * and QEMU build and caches the verdict in `cachePaths.accelProbe`), and the TSC frequency for
 * TCG guests.
 */
import { readFileSync } from "node:fs";
import { PyroError } from "../errors.js";
import type { Acceleration, DriverProbe, ProbeReport } from "../supervisor/protocol.js";
import { probeVmms } from "../supervisor/vmm.js";
import type { PyroConfig } from "./config.js";
import { cachePaths, packagePaths } from "./paths.js";

export interface AccelDecision {
  accel: Acceleration;
  /** Why, e.g. "KVM present but guest probe failed: emulation failure; using TCG". */
  reason: string;
  /** True when the verdict came from the cache rather than a probe boot just now. */
  cached: boolean;
  /** The selected VMM as its probe saw it (absent when PYRO_ACCEL forced the choice). */
  vmm?: Pick<DriverProbe, "driver" | "binary" | "version" | "capabilities">;
}

/** The settings a probe depends on. */
export type ProbeConfig = Pick<PyroConfig, "cacheDir" | "qemuBinary" | "vmm">;

/**
 * Every VMM driver's probe, `config.vmm` selected, with the verdict cache under `cacheDir`
 * (per host, not per state dir). `kernelPath`, when given and no verdict is cached, is booted
 * under KVM (at most 8 s). @throws PyroError host_dependency_missing (supervisor not built),
 * vmm_failed
 */
export function probeHost(config: ProbeConfig, kernelPath?: string): Promise<ProbeReport> {
  return probeVmms(packagePaths.supervisorEntry, {
    vmm: config.vmm,
    qemuBinary: config.qemuBinary,
    cachePath: cachePaths.accelProbe(config.cacheDir),
    ...(kernelPath ? { kernelPath } : {}),
  });
}

/** The report of the driver the probe selected. */
export function selectedDriver(report: ProbeReport): DriverProbe | undefined {
  return report.drivers.find((d) => d.driver === report.selected);
}

/**
 * Chooses kvm or tcg. `config.accel` (PYRO_ACCEL) other than `auto` wins without a probe;
 * else the selected driver's probe decides, booting `kernelPath` under KVM only when no
 * verdict is cached for this host kernel and QEMU build.
 * @throws PyroError vmm_unavailable (the selected driver cannot run here: its reason and hint),
 *   host_dependency_missing, vmm_failed
 */
export async function resolveAcceleration(
  config: ProbeConfig & Pick<PyroConfig, "accel">,
  kernelPath: string,
): Promise<AccelDecision> {
  if (config.accel !== "auto") {
    return { accel: config.accel, reason: `forced by PYRO_ACCEL=${config.accel}`, cached: false };
  }
  const report = await probeHost(config, kernelPath);
  const driver = selectedDriver(report);
  if (!driver?.available) {
    throw new PyroError(
      "vmm_unavailable",
      `VMM "${report.selected}" is unavailable: ${driver?.reason ?? "no probe report"}`,
      { ...(driver?.hint ? { hint: driver.hint } : {}) },
    );
  }
  if (driver.acceleration === "") {
    // Only without a kernel to boot; every caller here has one.
    throw new PyroError("vmm_failed", `no acceleration decided: ${driver.acceleration_reason}`);
  }
  const { binary, version, capabilities } = driver;
  return {
    accel: driver.acceleration,
    reason: driver.acceleration_reason,
    cached: driver.cached,
    vmm: { driver: driver.driver, binary, version, capabilities },
  };
}

/** Host TSC frequency in kHz from /proc/cpuinfo (`cpu MHz`), or undefined. */
export function hostTscKhz(cpuinfo = readFileSync("/proc/cpuinfo", "utf8")): number | undefined {
  const m = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo);
  return m?.[1] ? Math.round(Number(m[1]) * 1000) : undefined;
}
