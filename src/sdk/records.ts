/** Maps core state into the SDK's public records. */
import type { EnvironmentStatus } from "../core/environments/registry.js";
import type { VmStatus } from "../core/vm-manager.js";
import type { Environment } from "./schemas/environment.js";
import type { Vm } from "./schemas/vm.js";

export function environmentRecord(status: EnvironmentStatus): Environment {
  const m = status.manifest;
  return {
    name: status.entry.name,
    version: status.entry.version,
    description: status.entry.description,
    local: status.local,
    installed: status.installed,
    installDir: status.installDir,
    installedAt: m?.installed_at ?? null,
    kernelRelease: m?.kernel_release ?? null,
    kernel: m
      ? {
          flavor: m.kernel_flavor,
          package: String(m.kernel_build.source_package ?? "unknown"),
          version: String(m.kernel_build.source_version ?? "unknown"),
        }
      : null,
    source: m?.source ?? null,
    problem: status.problem ?? null,
    artifacts: m
      ? Object.entries(m.artifacts).map(([role, a]) => ({
          role,
          path: `${status.installDir}/${a.path}`,
          sha256: a.sha256,
          sizeBytes: a.size_bytes,
        }))
      : [],
  };
}

export function vmRecord(status: VmStatus): Vm {
  return {
    vmId: status.vm_id,
    environment: status.environment,
    state: status.state,
    vcpuCount: status.vcpu_count,
    memMib: status.mem_mib,
    ttlSeconds: status.ttl_seconds,
    network: status.network,
    acceleration: status.acceleration,
    accelerationReason: status.acceleration_reason,
    executionMode: status.execution_mode,
    createdAt: status.created_at,
    lastActivityAt: status.supervisor?.last_activity_at ?? status.last_activity_at,
    expiresAt: status.expires_at,
    bootMs: status.supervisor?.boot_ms ?? null,
    error: status.error ?? status.supervisor?.error ?? null,
  };
}
