/**
 * Pure builder of the `qemu-system-x86_64 -M microvm` argv (tested without a VMM): PVH
 * vmlinux plus pyro's initramfs (the agent as /init mounts `root=`), virtio-mmio devices
 * described in ACPI (Debian's kernel) or on the kernel command line (`acpi=off`, the custom
 * kernel), a virtio-serial agent port, and sysrq `b` + `-no-reboot` for power-off.
 * docs/internals.md has the recipe and why.
 */
import type { VmConfig } from "../driver.js";

/** Name of the virtio-serial port the agent looks for under /sys/class/virtio-ports. */
export const AGENT_PORT_NAME = "org.pyro.agent";

/** TCG translation-cache cap in MiB: the default grows to hundreds of MiB per VM. */
export const TCG_TB_SIZE_MIB = 32;

/** Kernel command line for a guest booted by pyro. */
export function kernelCommandLine(config: Pick<VmConfig, "accel" | "tscKhz" | "network">): string {
  const args = ["console=ttyS0", "quiet", "root=/dev/vda", "rootfstype=ext4", "rw", "reboot=t", "panic=-1"];
  // Under TCG the TSC cannot be calibrated against the PIT reliably: boots hang without these.
  if (config.accel === "tcg" && config.tscKhz) args.push(`tsc_early_khz=${config.tscKhz}`, "tsc=reliable");
  // The agent (PID 1) configures the NIC from this; absent = no NIC (policy off). Only then does
  // its initramfs load the NIC driver modules (Debian's kernel; the custom one has them built in).
  if (config.network) args.push(config.network.kernelParam, "pyro.modules=net");
  return args.join(" ");
}

/** The QEMU argv (without the binary) for `config`. */
export function qemuArgs(config: VmConfig): string[] {
  const accel =
    config.accel === "kvm"
      ? ["-accel", "kvm", "-cpu", "host,-arch-capabilities"]
      : ["-accel", `tcg,tb-size=${TCG_TB_SIZE_MIB}`, "-cpu", "max"];
  const drive = [
    "id=root",
    `file=${config.rootfsPath}`,
    "format=raw",
    "if=none",
    "cache=writeback",
    ...(config.diskMode === "ephemeral" ? ["snapshot=on"] : []),
  ].join(",");
  return [
    "-M",
    config.deviceDiscovery === "acpi" ? "microvm" : "microvm,acpi=off",
    ...accel,
    "-m",
    String(config.memMib),
    "-smp",
    String(config.vcpuCount),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-no-reboot",
    "-chardev",
    // append=on: the supervisor caps the log by truncating it, and O_APPEND writes follow.
    `file,id=console,path=${config.consoleLogPath},append=on`,
    "-serial",
    "chardev:console",
    "-kernel",
    config.kernelPath,
    "-initrd",
    config.initrdPath,
    "-append",
    kernelCommandLine(config),
    "-drive",
    drive,
    "-device",
    "virtio-blk-device,drive=root",
    "-device",
    "virtio-rng-device",
    "-device",
    "virtio-serial-device,id=vser0",
    "-chardev",
    `socket,id=agent,path=${config.agentSocketPath},server=on,wait=off`,
    "-device",
    `virtserialport,bus=vser0.0,chardev=agent,name=${AGENT_PORT_NAME}`,
    ...networkArgs(config),
  ];
}

/** A userspace virtio-net NIC on the workspace's TAP (no vhost: /dev/vhost-net may be absent). */
function networkArgs(config: VmConfig): string[] {
  if (!config.network) return [];
  return [
    "-netdev",
    `tap,id=net0,ifname=${config.network.tapName},script=no,downscript=no`,
    "-device",
    `virtio-net-device,netdev=net0,mac=${config.network.mac}`,
  ];
}
