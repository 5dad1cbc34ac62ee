/**
 * What a VM template depends on. A template is a booted guest's saved state: it can only be
 * restored into the very same machine (kernel, initramfs with the agent, root disk, VMM
 * build, accelerator, vCPUs, memory, devices), so each of these is an input and the template's
 * key is a hash of all of them. Any change gives a new key, hence a new template.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { agentSha256 } from "../boot-initrd.js";
import type { PyroConfig } from "../config.js";
import type { BootArtifacts } from "../environments/registry.js";
import { type AccelDecision, hostTscKhz, probeHost, selectedDriver } from "../host.js";
import { packagePaths } from "../paths.js";

/**
 * Version of the template layout (files, manifest); a change makes every template a new one.
 * 2: the disk is 0600 like the build's other files (layout 1 left it 0644).
 */
export const TEMPLATE_LAYOUT_VERSION = 2;

/**
 * `run`: the disk is a qcow2 overlay over the environment's image, and clones write to a
 * throw-away overlay of it. `workspace`: the disk is a raw image of `disk_mib` MiB, which each
 * workspace copies as its own disk.
 */
export type TemplatePurpose = "run" | "workspace";

export interface TemplateInputs {
  layout_version: number;
  purpose: TemplatePurpose;
  environment: string;
  environment_version: string;
  kernel_sha256: string;
  modules_sha256: string;
  rootfs_sha256: string;
  device_discovery: "acpi" | "cmdline";
  agent_sha256: string;
  vmm: { driver: string; binary: string; version: string; size_bytes: number; mtime_ms: number };
  accel: "kvm" | "tcg";
  /** Part of the kernel command line of TCG guests. */
  tsc_khz: number | null;
  vcpu_count: number;
  mem_mib: number;
  /** Only guests without a NIC have templates so far. */
  network: "none";
  /** Workspace templates: the disk size; null for run templates. */
  disk_mib: number | null;
}

export interface TemplateRequest {
  purpose: TemplatePurpose;
  kernel: BootArtifacts;
  vcpuCount: number;
  memMib: number;
  diskMib: number | null;
}

/**
 * The inputs of the template a machine would restore from. `accel` is the boot's decision;
 * its probe names the VMM (a forced PYRO_ACCEL probes once more for it, from the cache).
 */
export async function templateInputs(
  config: PyroConfig,
  request: TemplateRequest,
  accel: AccelDecision,
): Promise<TemplateInputs> {
  const vmm = accel.vmm ?? selectedDriver(await probeHost(config));
  const binary = vmm?.binary ?? "";
  const st = binary ? await stat(binary).catch(() => undefined) : undefined;
  const { kernel } = request;
  return {
    layout_version: TEMPLATE_LAYOUT_VERSION,
    purpose: request.purpose,
    environment: kernel.environment,
    environment_version: kernel.version,
    kernel_sha256: kernel.manifest.artifacts.kernel.sha256,
    modules_sha256: kernel.modulesSha256,
    rootfs_sha256: kernel.rootfsSha256,
    device_discovery: kernel.deviceDiscovery,
    agent_sha256: await agentSha256(config.stateDir, config.agentPath ?? packagePaths.agentBinary),
    vmm: {
      driver: vmm?.driver ?? "",
      binary,
      version: vmm?.version ?? "",
      size_bytes: st?.size ?? 0,
      mtime_ms: Math.trunc(st?.mtimeMs ?? 0),
    },
    accel: accel.accel,
    tsc_khz: accel.accel === "tcg" ? (hostTscKhz() ?? null) : null,
    vcpu_count: request.vcpuCount,
    mem_mib: request.memMib,
    network: "none",
    disk_mib: request.purpose === "workspace" ? request.diskMib : null,
  };
}

/** The template's key: 16 hex digits of the sha256 of its inputs. */
export function templateKey(inputs: TemplateInputs): string {
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
}
