/**
 * Booting and stopping one machine (a one-shot VM or a workspace) through its supervisor.
 * VMs and workspaces differ in records and disks; this is what they share.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { PyroError } from "../errors.js";
import { launchSupervisor, SupervisorClient } from "../supervisor/client.js";
import type {
  Acceleration,
  IdentityConfig,
  SupervisorConfig,
  SupervisorState,
  VmConfig,
  VmNetwork,
} from "../supervisor/protocol.js";
import { withMachineSlot } from "./active-machines.js";
import { ensureBootInitrd } from "./boot-initrd.js";
import type { PyroConfig } from "./config.js";
import type { BootArtifacts } from "./environments/registry.js";
import { writeJsonAtomic } from "./fs-atomic.js";
import { type AccelDecision, hostTscKhz, resolveAcceleration } from "./host.js";
import { MAX_SOCKET_PATH_BYTES, type MachinePaths, packagePaths } from "./paths.js";
import { traceMark } from "./trace.js";

/** Time allowed from VMM start until the guest agent answers, in ms (TCG boots take 1-3 s). */
export const BOOT_TIMEOUT_MS = 90_000;

export interface MachineSpec {
  id: string;
  /** The environment's kernel: vmlinux, its modules cpio and how devices are found. */
  kernel: Pick<BootArtifacts, "kernelPath" | "modulesPath" | "modulesSha256" | "deviceDiscovery">;
  rootfsPath: string;
  /** `ephemeral`: writes vanish with the VM (one-shot); `persistent`: they land in `rootfsPath`. */
  diskMode: "ephemeral" | "persistent";
  vcpuCount: number;
  memMib: number;
  /** Idle seconds after which the supervisor stops the VM; 0 = never (workspaces reap lazily). */
  ttlSeconds: number;
  /** A process whose death kills the VM (a one-shot run's CLI); undefined = none. */
  ownerPid?: number;
  /** The guest NIC (network policy egress*); undefined = no NIC. */
  network?: VmNetwork;
  /** The accelerator, when the caller decided it already (a template's inputs name it). */
  accel?: AccelDecision;
  /**
   * Saved-state options (src/core/templates): RAM in a file, a qcow2 root disk, a start from a
   * saved state bounded by `restoreTimeoutMs`. Absent = a plain cold boot.
   */
  snapshot?: Pick<
    VmConfig,
    "memoryPath" | "memoryShared" | "memoryAnonymous" | "restoreStatePath" | "diskFormat"
  > & {
    restoreTimeoutMs?: number;
  };
  /** Whether the agent takes its own identity (name, machine id, clock, entropy); default true. */
  identity?: boolean;
}

export interface BootResult {
  acceleration: Acceleration;
  accelerationReason: string;
  state: SupervisorState;
}

/** Creates the machine's run and log directories (0700); refuses socket paths that are too long. */
export async function prepareMachineDirs(paths: MachinePaths): Promise<void> {
  if (Buffer.byteLength(paths.supervisorSocket) > MAX_SOCKET_PATH_BYTES) {
    throw new PyroError(
      "invalid_argument",
      `state directory "${paths.dir}" is too long for Unix socket paths`,
      {
        hint: "use a shorter PYRO_HOME",
      },
    );
  }
  await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  await mkdir(paths.logsDir, { recursive: true, mode: 0o700 });
}

/**
 * Launches the supervisor (which boots the VMM) and waits for the guest agent.
 * @throws PyroError boot_failed (console log named in the hint), vmm_unavailable (the selected
 *   driver cannot run here, from its probe), vmm_failed
 */
export async function bootMachine(
  config: PyroConfig,
  paths: MachinePaths,
  spec: MachineSpec,
): Promise<BootResult> {
  const accel = spec.accel ?? (await resolveAcceleration(config, spec.kernel.kernelPath));
  const initrdPath = await ensureBootInitrd(
    config.stateDir,
    spec.kernel.modulesPath,
    spec.kernel.modulesSha256,
    config.agentPath ?? packagePaths.agentBinary,
  );
  const svConfig: SupervisorConfig = {
    vm: {
      vmId: spec.id,
      kernelPath: spec.kernel.kernelPath,
      initrdPath,
      deviceDiscovery: spec.kernel.deviceDiscovery,
      rootfsPath: spec.rootfsPath,
      diskMode: spec.diskMode,
      vcpuCount: spec.vcpuCount,
      memMib: spec.memMib,
      accel: accel.accel,
      tscKhz: hostTscKhz(),
      runDir: paths.runDir,
      agentSocketPath: paths.agentSocket,
      consoleLogPath: paths.consoleLog,
      tmpDir: paths.tmpDir,
      ...(spec.network ? { network: spec.network } : {}),
      ...(spec.snapshot?.diskFormat ? { diskFormat: spec.snapshot.diskFormat } : {}),
      ...(spec.snapshot?.memoryPath ? { memoryPath: spec.snapshot.memoryPath } : {}),
      ...(spec.snapshot?.memoryShared ? { memoryShared: true } : {}),
      ...(spec.snapshot?.memoryAnonymous ? { memoryAnonymous: true } : {}),
      ...(spec.snapshot?.restoreStatePath ? { restoreStatePath: spec.snapshot.restoreStatePath } : {}),
    },
    ...(spec.snapshot?.restoreTimeoutMs ? { restoreTimeoutMs: spec.snapshot.restoreTimeoutMs } : {}),
    ...(spec.identity === false ? {} : { identity: machineIdentity(spec.id) }),
    qemuBinary: config.qemuBinary,
    vmm: config.vmm,
    ttlSeconds: spec.ttlSeconds,
    ownerPid: spec.ownerPid ?? null,
    bootTimeoutMs: BOOT_TIMEOUT_MS,
    socketPath: paths.supervisorSocket,
    pidPath: paths.supervisorPid,
    statePath: paths.supervisorState,
    logPath: paths.supervisorLog,
  };
  await writeJsonAtomic(paths.supervisorConfig, svConfig);
  await withMachineSlot(config.stateDir, config.maxActiveVms, spec.id, () => {
    traceMark("supervisor_spawn");
    return launchSupervisor(packagePaths.supervisorEntry, paths.supervisorConfig, paths.supervisorLog);
  });
  traceMark("supervisor_ok");
  try {
    const state = await new SupervisorClient(paths.supervisorSocket).ready();
    traceMark("ready_seen");
    return { acceleration: accel.accel, accelerationReason: accel.reason, state };
  } catch (err) {
    const e = err instanceof PyroError ? err : new PyroError("boot_failed", String(err));
    throw new PyroError("boot_failed", `"${spec.id}" failed to boot: ${e.message}`, {
      details: { id: spec.id, console_log: paths.consoleLog },
      hint: `see ${paths.consoleLog} and ${paths.supervisorLog}`,
      cause: e,
    });
  }
}

/**
 * Who the guest of machine `id` is: host name `vm-0123456789ab` / `ws-...` (the id, as a valid
 * host name) and a machine id derived from the id, so it is stable across a workspace's
 * restarts and differs between any two machines (and between clones of one template).
 */
export function machineIdentity(id: string): IdentityConfig {
  return {
    hostname: id.toLowerCase().replace(/[^a-z0-9-]/g, "-"),
    machineId: createHash("sha256").update(`pyro machine-id\0${id}`).digest("hex").slice(0, 32),
  };
}

/** Removes a dead machine's sockets and pid file (a crash or an ended save leaves them). */
export async function removeStaleRunFiles(paths: MachinePaths): Promise<void> {
  for (const stale of [paths.supervisorSocket, paths.agentSocket, paths.qmpSocket, paths.supervisorPid]) {
    await rm(stale, { force: true });
  }
}

/** The supervisor API client of a machine. */
export function machineClient(paths: MachinePaths): SupervisorClient {
  return new SupervisorClient(paths.supervisorSocket);
}

/** The supervisor's live state, or null when it does not answer. */
export async function liveMachineState(paths: MachinePaths): Promise<SupervisorState | null> {
  if (!existsSync(paths.supervisorSocket)) return null;
  return machineClient(paths)
    .status()
    .catch(() => null);
}

/** The last state the supervisor recorded (sv.json), live or not. */
export function recordedMachineState(paths: MachinePaths): SupervisorState | null {
  try {
    return JSON.parse(readFileSync(paths.supervisorState, "utf8")) as SupervisorState;
  } catch {
    return null;
  }
}

/**
 * Stops the VM: `poweroff` lets the guest flush first; `kill` is immediate. Idempotent.
 * Returns once the supervisor process itself is gone too (it exits right after its VMM).
 */
export async function stopMachine(
  paths: MachinePaths,
  mode: "kill" | "poweroff",
  timeoutMs = 10_000,
): Promise<void> {
  const pid = supervisorPid(paths.supervisorPid);
  await machineClient(paths)
    .shutdown({ mode, timeout_ms: timeoutMs })
    .catch((err: PyroError) => {
      if (err.code !== "vm_not_running" && mode === "poweroff") throw err;
    });
  for (let i = 0; pid !== undefined && i < 150 && existsSync(`/proc/${pid}`) && !isZombie(pid); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  killStaleSupervisor(paths.supervisorPid, pid);
}

function supervisorPid(pidPath: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidPath, "utf8").trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\)/, ")"));
  } catch {
    return true;
  }
}

/**
 * Kills a supervisor that is still there (QEMU dies with it via pdeathsig). `knownPid` is the
 * pid read before its pid file went away.
 */
export function killStaleSupervisor(pidPath: string, knownPid?: number): void {
  const pid = knownPid ?? supervisorPid(pidPath);
  if (pid === undefined) return;
  try {
    // Only our own supervisor: its command line names this machine's run directory.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmdline.includes(dirname(pidPath))) return;
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
