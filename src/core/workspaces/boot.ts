/**
 * Booting a workspace: a fresh disk (create, reset), restored from a VM template when one is
 * usable (src/core/templates) or copied from the environment's image and booted cold; or its
 * own disk (start), always cold. Then its process cap and secrets.
 */
import { rename, rm } from "node:fs/promises";
import type { PyroConfig } from "../config.js";
import { type BootArtifacts, requireInstalled } from "../environments/registry.js";
import { type BootResult, bootMachine, type MachineSpec, machineClient } from "../machine.js";
import type { WorkspacePaths } from "../paths.js";
import { runProgram } from "../process-run.js";
import type { MachineStartOptions, StartRequest } from "../templates/start.js";
import type { UsableTemplate } from "../templates/store.js";
import { growDisk } from "./disk-size.js";
import { setGuestMaxPids } from "./guest-limits.js";
import type { WorkspaceRecord } from "./record.js";
import { loadSecrets, materializeSecrets } from "./secrets.js";

/** The network modules, loaded only for a workspace with a NIC. */
const loadNetwork = () => import("../network/index.js");

/** How a fresh disk is made: from a template (`clone`) or from the environment (`coldDisk`). */
interface FreshDisk {
  start: MachineStartOptions;
  clone: (template: UsableTemplate) => Promise<Partial<MachineSpec>>;
  coldDisk: () => Promise<void>;
}

/**
 * Gives the workspace a fresh disk and boots it. From a template, the disk is a sparse copy of
 * the template's (the environment's image grown to `disk_mib`, as the template guest left it
 * when saved, so the restored guest's page cache matches it); cold, a sparse,
 * reflink-where-possible copy of the environment's image, grown to `disk_mib`.
 */
export async function bootFreshWorkspace(
  config: PyroConfig,
  paths: WorkspacePaths,
  record: WorkspaceRecord,
  start: MachineStartOptions,
): Promise<"kvm" | "tcg"> {
  const kernel = await requireInstalled(config.cacheDir, record.environment);
  const copyDisk = async (image: string, grow: boolean) => {
    const tmp = `${paths.rootfs}.tmp`;
    try {
      await runProgram(["cp", "--sparse=always", "--reflink=auto", image, tmp]);
      // A reset after `env pull` brought a larger image keeps all of it: the record follows.
      if (grow && record.disk_mib !== null) record.disk_mib = await growDisk(tmp, record.disk_mib);
      await rename(tmp, paths.rootfs);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  };
  const booted = await bootWorkspace(config, paths, record, kernel, {
    start,
    clone: async (template) => {
      await copyDisk(template.disk, false);
      return {};
    },
    coldDisk: () => copyDisk(kernel.rootfsPath, true),
  });
  record.kernel_path = kernel.kernelPath;
  return booted.acceleration;
}

/** The guest NIC of an egress workspace (TAP, /30, firewall; `record.network` set); undefined under `off`. */
export async function attachWorkspaceNetwork(
  paths: WorkspacePaths,
  record: WorkspaceRecord,
): Promise<MachineSpec["network"]> {
  if (record.network_policy === "off") return undefined;
  const attached = await (await loadNetwork()).attachMachineNetwork(record.workspace_id, paths.dir);
  record.network = attached.info;
  return attached.nic;
}

/** The workspace's machine: its own disk, size and NIC; no supervisor TTL (workspaces expire lazily). */
export function workspaceMachineSpec(
  paths: WorkspacePaths,
  record: WorkspaceRecord,
  kernel: BootArtifacts,
  network: MachineSpec["network"],
): MachineSpec {
  return {
    id: record.workspace_id,
    kernel,
    rootfsPath: paths.rootfs,
    diskMode: "persistent",
    vcpuCount: record.vcpu_count,
    memMib: record.mem_mib,
    ttlSeconds: 0,
    ...(network ? { network } : {}),
  };
}

/**
 * Boots the workspace: its NIC first (policy egress*: TAP, /30, firewall), then the VM (from
 * `fresh`'s template or disk, else its own disk), its process cap (`max_pids`, when set), then
 * its secrets into the guest's /run/pyro-secrets (tmpfs, gone at every stop).
 */
export async function bootWorkspace(
  config: PyroConfig,
  paths: WorkspacePaths,
  record: WorkspaceRecord,
  kernel: BootArtifacts,
  fresh?: FreshDisk,
): Promise<BootResult> {
  const network = await attachWorkspaceNetwork(paths, record);
  const spec = workspaceMachineSpec(paths, record, kernel, network);
  let booted: BootResult;
  if (fresh) {
    const request: StartRequest = {
      purpose: "workspace",
      kernel,
      vcpuCount: record.vcpu_count,
      memMib: record.mem_mib,
      diskMib: record.disk_mib,
      network: network !== undefined,
      cold: fresh.start.cold ?? false,
      ...(fresh.start.onTemplate ? { onTemplate: fresh.start.onTemplate } : {}),
    };
    const { startMachine } = await import("../templates/start.js");
    const started = await startMachine(config, paths, spec, request, fresh.clone, fresh.coldDisk);
    fresh.start.onStarted?.(started.report);
    booted = started.boot;
  } else booted = await bootMachine(config, paths, spec);
  if (record.max_pids !== null) await setGuestMaxPids(machineClient(paths), record.max_pids);
  const secrets = await loadSecrets(paths.secretsDir);
  if (secrets.length > 0) await materializeSecrets(machineClient(paths), secrets);
  return booted;
}
