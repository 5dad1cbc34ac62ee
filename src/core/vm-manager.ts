/**
 * VM lifecycle: create (record + agent image), start (supervisor boots the VMM), exec, stop,
 * delete, status, reap. Every mutation of a VM runs under its lock; any pyro process can pick
 * up any VM through its record and its supervisor's socket.
 */
import { rm } from "node:fs/promises";
import { PyroError } from "../errors.js";
import type { SupervisorState } from "../supervisor/protocol.js";
import { requireAgentBinary } from "./boot-initrd.js";
import type { PyroConfig } from "./config.js";
import { imageExecDefaults } from "./environments/local.js";
import { requireInstalled } from "./environments/registry.js";
import { type ExecOptions, type ExecResult, execInVm } from "./exec.js";
import { withLock } from "./lock.js";
import {
  liveMachineState,
  type MachineSpec,
  machineClient,
  prepareMachineDirs,
  recordedMachineState,
  stopMachine,
} from "./machine.js";
import { machineCrash, supervisorRuns } from "./machine-outcome.js";
import { packagePaths, vmPaths } from "./paths.js";
import type { MachineStartOptions, StartReport, TemplateEvent } from "./templates/start.js";
import {
  listVmIds,
  newVmId,
  readVmRecord,
  VM_LAYOUT_VERSION,
  type VmRecord,
  writeVmRecord,
} from "./vm-record.js";

/** The network modules, loaded only for a VM with a NIC: ~20 files no other operation needs. */
const loadNetwork = () => import("./network/index.js");

export interface CreateVmOptions {
  environment: string;
  vcpuCount: number;
  memMib: number;
  ttlSeconds: number;
  network: boolean;
}

/** The template modules, loaded on a start only. */
const loadTemplates = () => import("./templates/start.js");

/** A VM record joined with what its supervisor reports right now. */
export interface VmStatus extends VmRecord {
  supervisor: SupervisorState | null;
  expires_at: string | null;
}

export class VmManager {
  constructor(readonly config: PyroConfig) {}

  private lock<T>(vmId: string, fn: () => Promise<T>): Promise<T> {
    return withLock(vmPaths(this.config.stateDir, vmId).dir, fn, { waitMs: 120_000 });
  }

  /** Creates a VM record and its agent image; nothing boots yet. */
  async create(options: CreateVmOptions): Promise<VmRecord> {
    const boot = await requireInstalled(this.config.cacheDir, options.environment);
    requireAgentBinary(this.config.agentPath ?? packagePaths.agentBinary);
    const vmId = newVmId();
    await prepareMachineDirs(vmPaths(this.config.stateDir, vmId));
    const now = new Date().toISOString();
    const record: VmRecord = {
      layout_version: VM_LAYOUT_VERSION,
      vm_id: vmId,
      environment: options.environment,
      vcpu_count: options.vcpuCount,
      mem_mib: options.memMib,
      ttl_seconds: options.ttlSeconds,
      network: options.network,
      network_info: null,
      state: "created",
      acceleration: null,
      acceleration_reason: null,
      execution_mode: "guest_virtio_serial",
      kernel_path: boot.kernelPath,
      image_path: boot.rootfsPath,
      created_at: now,
      last_activity_at: now,
      error: null,
    };
    await writeVmRecord(this.config.stateDir, record);
    return record;
  }

  /**
   * Boots a created VM and waits for its agent: restored from its VM template when one is
   * usable (src/core/templates), else cold. With `ownerPid`, the VM dies with that process
   * (one-shot runs tie it to the CLI). @throws PyroError boot_failed, vmm_failed
   */
  async start(vmId: string, ownerPid?: number, options: MachineStartOptions = {}): Promise<VmRecord> {
    return this.lock(vmId, async () => {
      const record = await readVmRecord(this.config.stateDir, vmId);
      const paths = vmPaths(this.config.stateDir, vmId);
      if (record.state === "started" && (await liveMachineState(paths))?.state === "ready") return record;
      try {
        // `network`: outbound NAT (policy egress), the same per-machine TAP/30/firewall as workspaces.
        let network: MachineSpec["network"];
        if (record.network) {
          const attached = await (await loadNetwork()).attachMachineNetwork(vmId, paths.dir);
          record.network_info = attached.info;
          network = attached.nic;
        }
        // The environment's current artifacts: a re-pulled kernel is picked up by the next start.
        const kernel = await requireInstalled(this.config.cacheDir, record.environment);
        const spec: MachineSpec = {
          id: vmId,
          kernel,
          rootfsPath: kernel.rootfsPath,
          diskMode: "ephemeral",
          vcpuCount: record.vcpu_count,
          memMib: record.mem_mib,
          ttlSeconds: record.ttl_seconds,
          ownerPid,
          ...(network ? { network } : {}),
        };
        const request = {
          purpose: "run" as const,
          kernel,
          vcpuCount: record.vcpu_count,
          memMib: record.mem_mib,
          diskMib: null,
          network: record.network,
          cold: options.cold ?? false,
          ...(options.onTemplate ? { onTemplate: options.onTemplate } : {}),
        };
        // A clone's disk is a throw-away overlay over its template's (snapshot=on).
        const { boot, report } = await (await loadTemplates()).startMachine(
          this.config,
          paths,
          spec,
          request,
          async (t) => ({ rootfsPath: t.disk, snapshot: { diskFormat: "qcow2" } }),
        );
        options.onStarted?.(report);
        record.acceleration = boot.acceleration;
        record.acceleration_reason = boot.accelerationReason;
        record.state = "started";
        record.error = null;
      } catch (err) {
        const e = err as PyroError;
        record.state = "failed";
        record.error = { code: e.code, message: e.message };
        await writeVmRecord(this.config.stateDir, record);
        throw err;
      }
      record.last_activity_at = new Date().toISOString();
      await writeVmRecord(this.config.stateDir, record);
      return record;
    });
  }

  /** Builds the template a cold start asked for (reported through `onTemplate`; never throws). */
  async rebuildTemplate(
    environment: string,
    rebuild: NonNullable<StartReport["rebuild"]>,
    onTemplate?: (event: TemplateEvent) => void,
  ): Promise<void> {
    const kernel = await requireInstalled(this.config.cacheDir, environment).catch(() => undefined);
    if (kernel) await (await loadTemplates()).rebuildAfterColdStart(this.config, kernel, rebuild, onTemplate);
  }

  /** Runs one command in a started VM. */
  async exec(vmId: string, options: ExecOptions): Promise<ExecResult> {
    const record = await readVmRecord(this.config.stateDir, vmId);
    if (record.state !== "started") {
      throw new PyroError("vm_not_running", `VM "${vmId}" is ${record.state}`, { hint: "start it first" });
    }
    // A container image's Env and WorkingDir come first; the caller's own env and cwd win.
    const image = await imageExecDefaults(this.config.cacheDir, record.environment);
    const env = image.env || options.env ? { ...image.env, ...options.env } : undefined;
    const cwd = options.cwd ?? image.cwd;
    return execInVm(machineClient(vmPaths(this.config.stateDir, vmId)), {
      ...options,
      ...(env ? { env } : {}),
      ...(cwd ? { cwd } : {}),
    });
  }

  async status(vmId: string): Promise<VmStatus> {
    const record = await readVmRecord(this.config.stateDir, vmId);
    const paths = vmPaths(this.config.stateDir, vmId);
    const live = await liveMachineState(paths);
    const supervisor = live ?? recordedMachineState(paths);
    const expires =
      supervisor?.expires_at ??
      new Date(Date.parse(record.last_activity_at) + record.ttl_seconds * 1000).toISOString();
    // A started VM that is not running stopped on request or at its TTL, or it crashed (its
    // VMM or supervisor died unasked): then it is failed, with the reason.
    const down = record.state === "started" && live?.state !== "ready";
    const running = (pid: number) => supervisorRuns(pid, paths.supervisorConfig);
    const crash = down ? machineCrash(live, recordedMachineState(paths), running) : undefined;
    const state = down ? (crash ? "failed" : "stopped") : record.state;
    const error = crash ?? record.error;
    return { ...record, state, error, supervisor, expires_at: record.ttl_seconds > 0 ? expires : null };
  }

  async list(): Promise<VmStatus[]> {
    const out: VmStatus[] = [];
    for (const id of await listVmIds(this.config.stateDir)) {
      out.push(await this.status(id).catch(() => undefined as never));
    }
    return out.filter(Boolean);
  }

  /** Powers the guest off (flush, then VMM exit). A stopped VM stays stopped. */
  async stop(vmId: string): Promise<VmRecord> {
    return this.lock(vmId, async () => {
      const record = await readVmRecord(this.config.stateDir, vmId);
      await stopMachine(vmPaths(this.config.stateDir, vmId), "poweroff");
      if (record.network) await (await loadNetwork()).teardownWorkspaceNetwork(vmId);
      record.network_info = null;
      if (record.state === "started") record.state = "stopped";
      await writeVmRecord(this.config.stateDir, record);
      return record;
    });
  }

  /**
   * Kills the VM if it runs and removes all its state. Works on half-created and crashed VMs.
   * @returns `{deleted, vm_id, reason}` as in `run --json`'s `cleanup`.
   */
  async delete(
    vmId: string,
    reason = "deleted",
  ): Promise<{ deleted: boolean; vm_id: string; reason: string }> {
    const record = await readVmRecord(this.config.stateDir, vmId).catch((err: PyroError) => {
      if (err.code !== "state_corrupt") throw err;
      return undefined;
    });
    const paths = vmPaths(this.config.stateDir, vmId);
    await this.lock(vmId, async () => {
      await stopMachine(paths, "kill");
      if (record?.network !== false) await (await loadNetwork()).teardownWorkspaceNetwork(vmId);
      await rm(paths.dir, { recursive: true, force: true });
    });
    await rm(`${paths.dir}.lock`, { recursive: true, force: true });
    return { deleted: true, vm_id: vmId, reason };
  }

  /** Kills a VM that is still booting, without waiting for its lock (Ctrl-C during start). */
  async abortBoot(vmId: string): Promise<void> {
    await stopMachine(vmPaths(this.config.stateDir, vmId), "kill");
  }

  /** Deletes VMs past their TTL (or whose supervisor expired them). Returns the ids removed. */
  async reapExpired(now = Date.now()): Promise<string[]> {
    const reaped: string[] = [];
    for (const vm of await this.list()) {
      const expired =
        vm.supervisor?.state === "expired" || (vm.expires_at !== null && Date.parse(vm.expires_at) <= now);
      if (expired) {
        await this.delete(vm.vm_id, "ttl_expired");
        reaped.push(vm.vm_id);
      }
    }
    return reaped;
  }
}
