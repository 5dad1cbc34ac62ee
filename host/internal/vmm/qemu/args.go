// Package qemu is the QEMU driver: `qemu-system-x86_64 -M microvm` with
// virtio-mmio devices, the guest agent on a named virtio-serial port, and a
// QMP socket for run state and clean shutdown.
package qemu

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// AgentPortName is the virtio-serial port the agent looks for under
// /sys/class/virtio-ports.
const AgentPortName = "org.pyro.agent"

// TCGTBSizeMiB caps TCG's translation cache, in MiB: the default grows to
// hundreds of MiB per VM.
const TCGTBSizeMiB = 32

// QMPSocketName is the QMP socket's file name inside the VM's run directory
// (run/qmp.sock; the layout is documented in src/core/paths.ts).
const QMPSocketName = "qmp.sock"

// QMPSocketPath is where the QMP socket of vm lives.
func QMPSocketPath(vm protocol.VM) string {
	return filepath.Join(vm.RunDir, QMPSocketName)
}

// KernelCommandLine is the guest kernel command line for vm. The agent is
// PID 1 of the initramfs, so there is no init=.
func KernelCommandLine(vm protocol.VM) string {
	args := []string{"console=ttyS0", "quiet", "root=/dev/vda", "rootfstype=ext4", "rw", "reboot=t", "panic=-1"}
	// Under TCG the TSC cannot be calibrated against the PIT reliably: boots hang without these.
	if vm.Accel == "tcg" && vm.TSCKhz > 0 {
		args = append(args, "tsc_early_khz="+strconv.FormatInt(vm.TSCKhz, 10), "tsc=reliable")
	}
	// The agent configures the NIC from this; absent = no NIC (policy off). Only then does its
	// initramfs load the NIC driver modules (Debian's kernel; the custom one has them built in).
	if vm.Network != nil {
		args = append(args, vm.Network.KernelParam, "pyro.modules=net")
	}
	return strings.Join(args, " ")
}

// Args is the QEMU argv (without the binary) for vm: a pure function of it.
func Args(vm protocol.VM) []string {
	machine := "microvm"
	if vm.DeviceDiscovery != "acpi" {
		machine = "microvm,acpi=off" // virtio-mmio devices announced on the kernel command line
	}
	accel := []string{"-accel", "tcg,tb-size=" + strconv.Itoa(TCGTBSizeMiB), "-cpu", "max"}
	if vm.Accel == "kvm" {
		accel = []string{"-accel", "kvm", "-cpu", "host,-arch-capabilities"}
	}
	format := "raw"
	if vm.DiskFormat != "" {
		format = vm.DiskFormat
	}
	drive := []string{"id=root", "file=" + optValue(vm.RootfsPath), "format=" + format, "if=none", "cache=writeback"}
	if vm.DiskMode == "ephemeral" {
		drive = append(drive, "snapshot=on")
	}
	var memory []string
	if vm.MemoryPath != "" {
		// RAM in a file: a saved state leaves it out (x-ignore-shared) and a restore maps it
		// again, privately (share=off: copy-on-write, the file never changes) unless shared.
		share := "off"
		if vm.MemoryShared {
			share = "on"
		}
		machine += ",memory-backend=mem"
		memory = []string{"-object", "memory-backend-file,id=mem,size=" + strconv.Itoa(vm.MemMib) + "M,mem-path=" + optValue(vm.MemoryPath) + ",share=" + share}
	} else if vm.MemoryAnonymous {
		// The same RAM block name as a file's ("mem"), so a state saved from a VM with its RAM
		// in a file loads here: every page comes from the state.
		machine += ",memory-backend=mem"
		memory = []string{"-object", "memory-backend-ram,id=mem,size=" + strconv.Itoa(vm.MemMib) + "M"}
	}
	args := []string{"-M", machine}
	args = append(args, memory...)
	args = append(args, accel...)
	args = append(args,
		"-m", strconv.Itoa(vm.MemMib),
		"-smp", strconv.Itoa(vm.VCPUCount),
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		// append=on: the supervisor caps the log by truncating it, and O_APPEND writes follow.
		"-chardev", "file,id=console,path="+optValue(vm.ConsoleLogPath)+",append=on",
		"-serial", "chardev:console",
		"-kernel", vm.KernelPath,
		"-initrd", vm.InitrdPath,
		"-append", KernelCommandLine(vm),
		"-drive", strings.Join(drive, ","),
		"-device", "virtio-blk-device,drive=root",
		"-device", "virtio-rng-device",
		"-device", "virtio-serial-device,id=vser0",
		"-chardev", "socket,id=agent,path="+optValue(vm.AgentSocketPath)+",server=on,wait=off",
		"-device", "virtserialport,bus=vser0.0,chardev=agent,name="+AgentPortName,
		"-qmp", "unix:"+optValue(QMPSocketPath(vm))+",server=on,wait=off",
	)
	if n := vm.Network; n != nil {
		// Userspace virtio-net (no vhost: /dev/vhost-net may be absent).
		args = append(args,
			"-netdev", "tap,id=net0,ifname="+n.TapName+",script=no,downscript=no",
			"-device", "virtio-net-device,netdev=net0,mac="+n.MAC,
		)
	}
	if vm.RestoreStatePath != "" {
		args = append(args, "-incoming", "defer") // the state comes over QMP: Machine.Restore
	}
	return args
}

// optValue escapes a value inside a QEMU option list, where "," separates
// options and ",," stands for a literal comma.
func optValue(s string) string {
	return strings.ReplaceAll(s, ",", ",,")
}
