import { describe, expect, it } from "vitest";
import type { VmConfig } from "../../../src/vmm/driver.js";
import { AGENT_PORT_NAME, kernelCommandLine, qemuArgs } from "../../../src/vmm/qemu/args.js";

const base: VmConfig = {
  vmId: "vm_0123456789ab",
  kernelPath: "/k/vmlinux",
  initrdPath: "/state/images/initrd-0123-4567.cpio",
  deviceDiscovery: "cmdline",
  rootfsPath: "/img/root.ext4",
  diskMode: "ephemeral",
  vcpuCount: 2,
  memMib: 768,
  accel: "tcg",
  tscKhz: 2445404,
  runDir: "/run/x",
  agentSocketPath: "/run/x/agent.sock",
  consoleLogPath: "/run/x/console.log",
  tmpDir: "/run/x/tmp",
};

const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe("qemuArgs", () => {
  it("boots microvm without ACPI under TCG with a capped translation cache", () => {
    const args = qemuArgs(base);
    expect(valueAfter(args, "-M")).toBe("microvm,acpi=off");
    expect(valueAfter(args, "-accel")).toBe("tcg,tb-size=32");
    expect(valueAfter(args, "-m")).toBe("768");
    expect(valueAfter(args, "-smp")).toBe("2");
    expect(args).toContain("-no-reboot");
    expect(args).toContain("-nodefaults");
  });

  it("describes devices in ACPI for kernels without command-line virtio-mmio devices", () => {
    expect(valueAfter(qemuArgs({ ...base, deviceDiscovery: "acpi" }), "-M")).toBe("microvm");
  });

  it("boots the kernel with pyro's initramfs, which mounts root= itself", () => {
    const args = qemuArgs(base);
    expect(valueAfter(args, "-kernel")).toBe("/k/vmlinux");
    expect(valueAfter(args, "-initrd")).toBe("/state/images/initrd-0123-4567.cpio");
    const cmdline = kernelCommandLine(base);
    expect(cmdline).toContain("root=/dev/vda");
    expect(cmdline).not.toContain("init=");
  });

  it("uses a throw-away overlay for ephemeral disks only", () => {
    expect(valueAfter(qemuArgs(base), "-drive")).toContain("snapshot=on");
    expect(valueAfter(qemuArgs({ ...base, diskMode: "persistent" }), "-drive")).not.toContain("snapshot=on");
  });

  it("exposes the agent port by name on a server socket", () => {
    const args = qemuArgs(base);
    expect(args).toContain(`virtserialport,bus=vser0.0,chardev=agent,name=${AGENT_PORT_NAME}`);
    expect(args).toContain("socket,id=agent,path=/run/x/agent.sock,server=on,wait=off");
  });

  it("has no NIC at all unless a network is given (policy off)", () => {
    expect(qemuArgs(base)).not.toContain("-netdev");
    expect(kernelCommandLine(base)).not.toContain("pyro.net=");
    expect(kernelCommandLine(base)).not.toContain("pyro.modules=");
  });

  it("attaches a virtio-net NIC to the workspace TAP and tells the agent its address", () => {
    const network = {
      tapName: "pyro0123456789a",
      mac: "52:54:00:12:34:56",
      kernelParam: "pyro.net=172.29.0.2/30,172.29.0.1",
    };
    const args = qemuArgs({ ...base, network });
    expect(valueAfter(args, "-netdev")).toBe("tap,id=net0,ifname=pyro0123456789a,script=no,downscript=no");
    expect(args).toContain("virtio-net-device,netdev=net0,mac=52:54:00:12:34:56");
    expect(kernelCommandLine({ ...base, network })).toContain("pyro.net=172.29.0.2/30,172.29.0.1");
    expect(kernelCommandLine({ ...base, network })).toContain("pyro.modules=net");
  });

  it("uses KVM with the MSR workaround when accelerated", () => {
    const args = qemuArgs({ ...base, accel: "kvm" });
    expect(valueAfter(args, "-accel")).toBe("kvm");
    expect(valueAfter(args, "-cpu")).toBe("host,-arch-capabilities");
  });
});

describe("kernelCommandLine", () => {
  it("passes the TSC frequency under TCG only", () => {
    expect(kernelCommandLine(base)).toContain("tsc_early_khz=2445404 tsc=reliable");
    expect(kernelCommandLine({ ...base, accel: "kvm" })).not.toContain("tsc_early_khz");
  });
  it("names the root disk for the initramfs agent and panics into a VMM exit", () => {
    const cmdline = kernelCommandLine(base);
    expect(cmdline).toContain("panic=-1");
    expect(cmdline).toContain("root=/dev/vda");
  });
});
