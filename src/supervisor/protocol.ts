/**
 * The supervisor's launch config and its state file / API records. The supervisor is the one
 * host process per running VM (DESIGN.md): `dist/host/pyro-supervisor`, a static Go binary
 * (host/). It owns the VMM child, the agent channel and the TTL, serves a 0600 Unix socket API
 * under `/v1/`, and survives the CLI that started it. Its Go twins are in
 * host/internal/protocol; the golden files in protocol/supervisor pin the JSON for both sides
 * (test/unit/supervisor/protocol-golden.test.ts here).
 */

export type Acceleration = "kvm" | "tcg";

/**
 * Everything a driver needs to boot one microVM (`protocol.VM` in Go). Sizes in MiB, counts in
 * vCPUs.
 */
export interface VmConfig {
  vmId: string;
  /** Uncompressed guest kernel with a PVH entry (boots under QEMU microvm and Firecracker). */
  kernelPath: string;
  /** Boot initramfs: the kernel's modules plus the agent as /init, which mounts the root disk. */
  initrdPath: string;
  /**
   * How the guest finds its virtio-mmio devices: `acpi` (tables in the DSDT; Debian's kernel)
   * or `cmdline` (`virtio_mmio.device=` arguments, no ACPI; the custom kernel, a little faster).
   */
  deviceDiscovery: "acpi" | "cmdline";
  /** Raw ext4 root disk. */
  rootfsPath: string;
  /** `ephemeral`: writes go to a throw-away overlay (one-shot runs); `persistent`: to the image. */
  diskMode: "ephemeral" | "persistent";
  vcpuCount: number;
  memMib: number;
  accel: Acceleration;
  /** Host TSC frequency in kHz; passed to the guest under TCG so boots cannot hang calibrating. */
  tscKhz: number | undefined;
  /** Directory for the VMM's sockets and temp files (0700). */
  runDir: string;
  agentSocketPath: string;
  consoleLogPath: string;
  tmpDir: string;
  /** A virtio-net NIC on a host TAP device; absent = no NIC at all (network policy `off`). */
  network?: VmNetwork;
  /** Image format of `rootfsPath`: `raw` (absent) or `qcow2` (a template's disk overlay). */
  diskFormat?: "raw" | "qcow2";
  /** Guest RAM lives in this file (what a saved state leaves out); absent = anonymous RAM. */
  memoryPath?: string;
  /** Guest writes reach `memoryPath` (a template being made); absent = private copy-on-write. */
  memoryShared?: boolean;
  /**
   * Anonymous RAM under the backend name a memory file has (`memory-backend-ram,id=mem`): a
   * paused workspace that ran with RAM in a file resumes with it, every page from its state.
   * Not with `memoryPath`.
   */
  memoryAnonymous?: boolean;
  /** Start from the device state saved in this file (and RAM from `memoryPath`) instead of booting. */
  restoreStatePath?: string;
}

/** Who a guest is: set by the agent after every boot (`POST /v1/identity`), with clock and entropy. */
export interface IdentityConfig {
  /** Kernel host name, e.g. `vm-0123456789ab`. */
  hostname: string;
  /** `/etc/machine-id`: 32 lowercase hex digits. */
  machineId: string;
}

/** The guest's one NIC: the host TAP it is attached to and what the guest configures on it. */
export interface VmNetwork {
  tapName: string;
  mac: string;
  /** Kernel command-line parameter the agent reads (`pyro.net=IP/PREFIX,GATEWAY[,DNS...]`). */
  kernelParam: string;
}

/** Written by core to `run/sv-config.json`, read once by the supervisor at start. */
export interface SupervisorConfig {
  vm: VmConfig;
  /** The VMM driver: `qemu` (also `auto`, the default) or `firecracker` (not implemented yet). */
  vmm?: "auto" | "qemu" | "firecracker";
  qemuBinary: string;
  /** Idle time after which the VM is stopped, in seconds (0 = never). */
  ttlSeconds: number;
  /** When this pid dies the VM is killed (one-shot runs: the CLI killed with -9); null = none. */
  ownerPid: number | null;
  /** Maximum time from VMM start to the agent answering, in ms. */
  bootTimeoutMs: number;
  /** Bound of a restore (`vm.restoreStatePath`), VMM start to a verified agent, in ms; past it: `restore_failed`. */
  restoreTimeoutMs?: number;
  /** The guest's own name; required with `vm.restoreStatePath`. */
  identity?: IdentityConfig;
  socketPath: string;
  pidPath: string;
  statePath: string;
  logPath: string;
}

/**
 * `exited`: stopped on request; `expired`: idle TTL; `failed`: boot failed (error `boot_failed`,
 * `guest_protocol_mismatch`), or the VMM died without a stop request (error `vmm_crashed`, its
 * message says how and quotes the last console lines).
 */
export type SupervisorPhase = "booting" | "ready" | "failed" | "stopping" | "exited" | "expired";

/** The `{code, message}` of an error answer, of `SupervisorState.error` and of the exec trailer. */
export interface SupervisorErrorBody {
  code: string;
  message: string;
}

/** Body of every non-2xx answer except `GET /v1/ready`'s. */
export interface SupervisorErrorResponse {
  error: SupervisorErrorBody;
}

/** The 503 answer of `GET /v1/ready` when boot did not succeed. */
export interface ReadyFailure {
  error: SupervisorErrorBody;
  state: SupervisorState;
}

/**
 * Trailer of a streamed NDJSON answer (exec events) that broke after its status was sent (the
 * VMM died): the answer ends cleanly, without an `exit` event, and this trailer holds the
 * `SupervisorErrorBody` as JSON (code `guest_unreachable`).
 */
export const EXEC_ERROR_TRAILER = "pyro-error";

/** `run/sv.json` and `GET /v1/status`. Times are ISO-8601 UTC; durations in ms. */
export interface SupervisorState {
  vm_id: string;
  state: SupervisorPhase;
  supervisor_pid: number;
  vmm_pid: number | null;
  acceleration: Acceleration;
  execution_mode: string;
  started_at: string;
  ready_at: string | null;
  /** VMM start to agent answering, in ms. */
  boot_ms: number | null;
  last_activity_at: string;
  expires_at: string | null;
  /** Requests being proxied to the guest right now (a running exec counts). */
  in_flight: number;
  /** Host listeners forwarding to guest ports, per service (service start --publish). */
  published_ports: PublishedPort[];
  agent_version: string | null;
  /** How the VMM process ended: exit code, or the signal name (e.g. `SIGKILL`). */
  exit: { code: number | null; signal: string | null; at: string } | null;
  error: SupervisorErrorBody | null;
}

/** One published port: 127.0.0.1:`host_port` on the host forwards to `guest_port` in the guest. */
export interface PublishedPort {
  service: string;
  host: "127.0.0.1";
  host_port: number;
  guest_port: number;
}

/** Body of `POST /v1/ports`: publish `guest_port` of `service`; `host_port` 0 picks a free port. */
export interface PublishRequest {
  service: string;
  guest_port: number;
  host_port: number;
}

/** Answer of `GET /v1/ports`. */
export interface PortsResponse {
  published_ports: PublishedPort[];
}

/** Answer of `DELETE /v1/ports/<service>`: the publications it closed. */
export interface ClosedResponse {
  closed: PublishedPort[];
}

/** Body of `POST /v1/shutdown`. `poweroff` asks the guest to flush and power off first. */
export interface ShutdownRequest {
  mode: "kill" | "poweroff";
  /** How long to wait for a guest power-off before killing, in ms. */
  timeout_ms?: number;
}

/** What the calling user may do with `/dev/kvm`, checked on every probe. */
export interface KvmDevice {
  path: string;
  exists: boolean;
  readable: boolean;
  writable: boolean;
}

/** Optional features of a VMM driver. */
export interface VmmCapabilities {
  pause_resume: boolean;
  save_restore: boolean;
  /** The guest agent channel is AF_VSOCK (Firecracker) rather than virtio-serial (QEMU). */
  vsock: boolean;
  hotplug: boolean;
}

/** One driver's account of the host (`pyro-supervisor probe`). */
export interface DriverProbe {
  driver: "qemu" | "firecracker";
  /** False when the driver cannot boot a VM here; `reason` says why, `hint` what to do. */
  available: boolean;
  reason: string;
  hint: string;
  /** Absolute path of the VMM binary, "" when not found; `version` e.g. "7.2.22", "" unknown. */
  binary: string;
  version: string;
  /** "" while undecided: KVM usable but never boot-tested (no guest kernel given, none cached). */
  acceleration: Acceleration | "";
  /** E.g. "KVM present but guest probe failed: emulation failure; using TCG". */
  acceleration_reason: string;
  /** Verdict of the KVM boot test; null when none has run on this host. */
  kvm_guest_boots: boolean | null;
  /** The verdict and version came from the probe cache. */
  cached: boolean;
  /** Why the verdict could not be cached ("" = fine): every boot would probe again. */
  cache_error: string;
  /** E.g. `guest_virtio_serial`; recorded for VMs and workspaces. */
  execution_mode: string;
  capabilities: VmmCapabilities;
  /** How long this probe took, in ms. */
  duration_ms: number;
}

/** `pyro-supervisor probe --json`: every driver, and which one `--vmm` selected. */
export interface ProbeReport {
  selected: "qemu" | "firecracker";
  kvm: KvmDevice;
  drivers: DriverProbe[];
}

/** `pyro-supervisor argv --json`: the exact process the driver spawns for a launch config. */
export interface VmmCommand {
  driver: "qemu" | "firecracker";
  /** Absolute path of the VMM; `args` is its argv without it. */
  binary: string;
  args: string[];
  /** Set on top of the caller's environment (QEMU: TMPDIR, where a snapshot=on overlay lives). */
  env: Record<string, string>;
  /** Working directory. */
  dir: string;
  /** The guest kernel command line inside `args`. */
  kernel_cmdline: string;
}
