/**
 * VM lifecycle: create (record + agent image), start (supervisor boots the VMM), exec, stop,
 * delete, status, reap. Every mutation of a VM runs under its lock; any pyro process can pick
 * up any VM through its record and its supervisor's socket.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { PyroError } from "../errors.js";
import { launchSupervisor, SupervisorClient } from "../supervisor/client.js";
import type { SupervisorConfig, SupervisorState } from "../supervisor/protocol.js";
import type { PyroConfig } from "./config.js";
import { requireInstalled } from "./environments/registry.js";
import { type ExecOptions, type ExecResult, execInVm } from "./exec.js";
import { writeJsonAtomic } from "./fs-atomic.js";
import { ensureAgentImage, GUEST_AGENT_PATH, requireAgentBinary } from "./guest-image.js";
import { hostTscKhz, resolveAcceleration } from "./host.js";
import { withLock } from "./lock.js";
import { MAX_SOCKET_PATH_BYTES, packagePaths, vmPaths } from "./paths.js";
import {
  listVmIds,
  newVmId,
  readVmRecord,
  VM_LAYOUT_VERSION,
  type VmRecord,
  writeVmRecord,
} from "./vm-record.js";

/** Time allowed from VMM start until the guest agent answers, in ms (TCG boots take 1-3 s). */
export const BOOT_TIMEOUT_MS = 90_000;

export interface CreateVmOptions {
  environment: string;
  vcpuCount: number;
  memMib: number;
  ttlSeconds: number;
  network: boolean;
}

/** A VM record joined with what its supervisor reports right now. */
export interface VmStatus extends VmRecord {
  supervisor: SupervisorState | null;
  expires_at: string | null;
}

export class VmManager {
  constructor(private readonly config: PyroConfig) {}

  private lock<T>(vmId: string, fn: () => Promise<T>): Promise<T> {
    return withLock(vmPaths(this.config.stateDir, vmId).dir, fn, { waitMs: 120_000 });
  }

  /** Creates a VM record and its agent image; nothing boots yet. */
  async create(options: CreateVmOptions): Promise<VmRecord> {
    if (options.network) {
      throw new PyroError("invalid_argument", "guest networking is not available yet in this build", {
        hint: "run without --network",
      });
    }
    const boot = await requireInstalled(this.config.cacheDir, options.environment);
    const agent = requireAgentBinary(this.config.agentPath ?? packagePaths.agentBinary);
    const image = await ensureAgentImage(
      this.config.stateDir,
      options.environment,
      boot.rootfsPath,
      boot.rootfsSha256,
      agent,
    );
    const vmId = newVmId();
    const paths = vmPaths(this.config.stateDir, vmId);
    if (Buffer.byteLength(paths.supervisorSocket) > MAX_SOCKET_PATH_BYTES) {
      throw new PyroError(
        "invalid_argument",
        `PYRO_HOME "${this.config.stateDir}" is too long for Unix socket paths`,
        {
          hint: "use a shorter PYRO_HOME",
        },
      );
    }
    await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
    await mkdir(paths.logsDir, { recursive: true, mode: 0o700 });
    const now = new Date().toISOString();
    const record: VmRecord = {
      layout_version: VM_LAYOUT_VERSION,
      vm_id: vmId,
      environment: options.environment,
      vcpu_count: options.vcpuCount,
      mem_mib: options.memMib,
      ttl_seconds: options.ttlSeconds,
      network: options.network,
      state: "created",
      acceleration: null,
      acceleration_reason: null,
      execution_mode: "guest_virtio_serial",
      kernel_path: boot.kernelPath,
      image_path: image,
      created_at: now,
      last_activity_at: now,
      error: null,
    };
    await writeVmRecord(this.config.stateDir, record);
    return record;
  }

  /** Boots a created VM and waits for its agent. @throws PyroError boot_failed, vmm_failed */
  async start(vmId: string): Promise<VmRecord> {
    return this.lock(vmId, async () => {
      const record = await readVmRecord(this.config.stateDir, vmId);
      if (record.state === "started" && (await this.liveState(vmId))?.state === "ready") return record;
      const paths = vmPaths(this.config.stateDir, vmId);
      const accel = await resolveAcceleration(
        this.config.cacheDir,
        this.config.qemuBinary,
        record.kernel_path,
        this.config.accel,
      );
      const svConfig: SupervisorConfig = {
        vm: {
          vmId,
          kernelPath: record.kernel_path,
          rootfsPath: record.image_path,
          diskMode: "ephemeral",
          vcpuCount: record.vcpu_count,
          memMib: record.mem_mib,
          accel: accel.accel,
          tscKhz: hostTscKhz(),
          initPath: GUEST_AGENT_PATH,
          runDir: paths.runDir,
          agentSocketPath: paths.agentSocket,
          consoleLogPath: paths.consoleLog,
          tmpDir: paths.tmpDir,
        },
        qemuBinary: this.config.qemuBinary,
        ttlSeconds: record.ttl_seconds,
        bootTimeoutMs: BOOT_TIMEOUT_MS,
        socketPath: paths.supervisorSocket,
        pidPath: paths.supervisorPid,
        statePath: paths.supervisorState,
        logPath: paths.supervisorLog,
      };
      const configPath = `${paths.runDir}/sv-config.json`;
      await writeJsonAtomic(configPath, svConfig);
      record.acceleration = accel.accel;
      record.acceleration_reason = accel.reason;
      await launchSupervisor(packagePaths.supervisorEntry, configPath, paths.supervisorLog);
      try {
        await new SupervisorClient(paths.supervisorSocket).ready();
        record.state = "started";
        record.error = null;
      } catch (err) {
        const e = err instanceof PyroError ? err : new PyroError("boot_failed", String(err));
        record.state = "failed";
        record.error = { code: e.code, message: e.message };
        await writeVmRecord(this.config.stateDir, record);
        throw new PyroError("boot_failed", `VM "${vmId}" failed to boot: ${e.message}`, {
          details: { vm_id: vmId, console_log: paths.consoleLog },
          hint: `see ${paths.consoleLog} and ${paths.supervisorLog}`,
        });
      }
      record.last_activity_at = new Date().toISOString();
      await writeVmRecord(this.config.stateDir, record);
      return record;
    });
  }

  /** Runs one command in a started VM. */
  async exec(vmId: string, options: ExecOptions): Promise<ExecResult> {
    const record = await readVmRecord(this.config.stateDir, vmId);
    if (record.state !== "started") {
      throw new PyroError("vm_not_running", `VM "${vmId}" is ${record.state}`, { hint: "start it first" });
    }
    return execInVm(new SupervisorClient(vmPaths(this.config.stateDir, vmId).supervisorSocket), options);
  }

  /** The supervisor's live state, or null when it is not running. */
  async liveState(vmId: string): Promise<SupervisorState | null> {
    const paths = vmPaths(this.config.stateDir, vmId);
    if (!existsSync(paths.supervisorSocket)) return null;
    return new SupervisorClient(paths.supervisorSocket).status().catch(() => null);
  }

  async status(vmId: string): Promise<VmStatus> {
    const record = await readVmRecord(this.config.stateDir, vmId);
    const live = await this.liveState(vmId);
    let supervisor = live;
    if (!supervisor) {
      try {
        supervisor = JSON.parse(readFileSync(vmPaths(this.config.stateDir, vmId).supervisorState, "utf8"));
      } catch {
        supervisor = null;
      }
    }
    const expires =
      supervisor?.expires_at ??
      new Date(Date.parse(record.last_activity_at) + record.ttl_seconds * 1000).toISOString();
    // A started VM whose supervisor no longer answers has stopped (crash, TTL or host reboot).
    const state = record.state === "started" && live?.state !== "ready" ? "stopped" : record.state;
    return { ...record, state, supervisor, expires_at: record.ttl_seconds > 0 ? expires : null };
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
      const client = new SupervisorClient(vmPaths(this.config.stateDir, vmId).supervisorSocket);
      await client.shutdown({ mode: "poweroff", timeout_ms: 10_000 }).catch((err: PyroError) => {
        if (err.code !== "vm_not_running") throw err;
      });
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
    await readVmRecord(this.config.stateDir, vmId).catch((err: PyroError) => {
      if (err.code !== "state_corrupt") throw err;
    });
    const paths = vmPaths(this.config.stateDir, vmId);
    await this.lock(vmId, async () => {
      await new SupervisorClient(paths.supervisorSocket).shutdown({ mode: "kill" }).catch(() => undefined);
      await killStaleSupervisor(paths.supervisorPid);
      await rm(paths.dir, { recursive: true, force: true });
    });
    await rm(`${paths.dir}.lock`, { recursive: true, force: true });
    return { deleted: true, vm_id: vmId, reason };
  }

  /** Kills a VM that is still booting, without waiting for its lock (Ctrl-C during start). */
  async abortBoot(vmId: string): Promise<void> {
    const paths = vmPaths(this.config.stateDir, vmId);
    await new SupervisorClient(paths.supervisorSocket).shutdown({ mode: "kill" }).catch(() => undefined);
    await killStaleSupervisor(paths.supervisorPid);
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

/** Kills a supervisor whose socket no longer answers (QEMU dies with it via pdeathsig). */
async function killStaleSupervisor(pidPath: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidPath, "utf8").trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    // Only our own supervisor: its command line names its pid file's VM directory.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmdline.includes(dirname(pidPath))) return;
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
