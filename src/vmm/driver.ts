/**
 * The VMM driver interface. Core and the supervisor never branch on a driver name: they
 * prepare a {@link VmConfig}, start it, talk to the guest agent over the channel the driver
 * hands back, and stop or kill it. QEMU is the proven driver here; Firecracker (API socket,
 * hybrid vsock) plugs in behind the same interface.
 */
import type { Duplex } from "node:stream";

export type Acceleration = "kvm" | "tcg";

/** Everything a driver needs to boot one microVM. Sizes in MiB, counts in vCPUs. */
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
}

/** The guest's one NIC: the host TAP it is attached to and what the guest configures on it. */
export interface VmNetwork {
  tapName: string;
  mac: string;
  /** Kernel command-line parameter the agent reads (`pyro.net=IP/PREFIX,GATEWAY[,DNS...]`). */
  kernelParam: string;
}

export interface VmmCapabilities {
  /** The guest agent channel is AF_VSOCK (Firecracker) rather than virtio-serial (QEMU). */
  vsock: boolean;
  pauseResume: boolean;
}

export interface VmmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running VMM process. */
export interface VmmHandle {
  pid: number;
  /** Resolves when the VMM process has exited. */
  exited: Promise<VmmExit>;
  /** Opens the host end of the guest agent channel (a byte stream). */
  connectAgent(signal?: AbortSignal): Promise<Duplex>;
  /** Kills the VMM at once (SIGKILL) and waits for it. */
  kill(): Promise<VmmExit>;
  /** Waits up to `timeoutMs` for the VMM to exit by itself (after a guest power-off), then kills it. */
  waitOrKill(timeoutMs: number): Promise<VmmExit>;
}

export interface VmmDriver {
  readonly name: "qemu" | "firecracker";
  readonly capabilities: VmmCapabilities;
  /** Execution mode reported in records, e.g. `guest_virtio_serial`. */
  readonly executionMode: string;
  start(config: VmConfig): Promise<VmmHandle>;
}
