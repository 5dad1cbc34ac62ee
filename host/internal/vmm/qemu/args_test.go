package qemu

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

func baseVM() protocol.VM {
	return protocol.VM{
		VMID:            "vm_0123456789ab",
		KernelPath:      "/k/vmlinuz",
		InitrdPath:      "/k/initrd.img",
		RootfsPath:      "/img/root.ext4",
		DiskMode:        "ephemeral",
		VCPUCount:       2,
		MemMib:          768,
		Accel:           "tcg",
		TSCKhz:          2445404,
		DeviceDiscovery: "acpi",
		RunDir:          "/run/x",
		AgentSocketPath: "/run/x/agent.sock",
		ConsoleLogPath:  "/run/x/console.log",
		TmpDir:          "/run/x/tmp",
	}
}

// valueAfter is the argument after the first occurrence of flag ("" if none).
func valueAfter(args []string, flag string) string {
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		return ""
	}
	return args[i+1]
}

func TestArgs(t *testing.T) {
	net := &protocol.Network{TapName: "pyro0123456789a", MAC: "52:54:00:12:34:56", KernelParam: "pyro.net=172.29.0.2/30,172.29.0.1"}
	tests := []struct {
		name   string
		edit   func(*protocol.VM)
		flag   string // "" = check contains/absent only
		want   string
		has    []string
		hasNot []string
	}{
		{name: "microvm with ACPI", flag: "-M", want: "microvm"},
		{name: "microvm without ACPI for cmdline discovery", edit: func(v *protocol.VM) { v.DeviceDiscovery = "cmdline" }, flag: "-M", want: "microvm,acpi=off"},
		{name: "TCG with a capped translation cache", flag: "-accel", want: "tcg,tb-size=32"},
		{name: "TCG CPU model", flag: "-cpu", want: "max"},
		{name: "KVM", edit: func(v *protocol.VM) { v.Accel = "kvm" }, flag: "-accel", want: "kvm"},
		{name: "KVM with the MSR workaround", edit: func(v *protocol.VM) { v.Accel = "kvm" }, flag: "-cpu", want: "host,-arch-capabilities"},
		{name: "memory in MiB", flag: "-m", want: "768"},
		{name: "vCPUs", flag: "-smp", want: "2"},
		{name: "kernel", flag: "-kernel", want: "/k/vmlinuz"},
		{name: "initramfs always", flag: "-initrd", want: "/k/initrd.img"},
		{name: "no defaults, no reboot", has: []string{"-nodefaults", "-no-user-config", "-no-reboot"}},
		{name: "ephemeral disk is a throw-away overlay", flag: "-drive", want: "id=root,file=/img/root.ext4,format=raw,if=none,cache=writeback,snapshot=on"},
		{name: "persistent disk writes through", edit: func(v *protocol.VM) { v.DiskMode = "persistent" }, flag: "-drive", want: "id=root,file=/img/root.ext4,format=raw,if=none,cache=writeback"},
		{name: "console log appended", has: []string{"file,id=console,path=/run/x/console.log,append=on", "chardev:console"}},
		{name: "agent port by name on a server socket", has: []string{
			"socket,id=agent,path=/run/x/agent.sock,server=on,wait=off",
			"virtserialport,bus=vser0.0,chardev=agent,name=org.pyro.agent",
		}},
		{name: "QMP socket in the run dir", flag: "-qmp", want: "unix:/run/x/qmp.sock,server=on,wait=off"},
		{name: "no NIC without a network (policy off)", hasNot: []string{"-netdev"}},
		{name: "NIC on the workspace TAP", edit: func(v *protocol.VM) { v.Network = net }, flag: "-netdev", want: "tap,id=net0,ifname=pyro0123456789a,script=no,downscript=no"},
		{name: "NIC MAC", edit: func(v *protocol.VM) { v.Network = net }, has: []string{"virtio-net-device,netdev=net0,mac=52:54:00:12:34:56"}},
		{name: "anonymous RAM by default", hasNot: []string{"-object", "-incoming"}},
		{name: "RAM in a shared file for a template", edit: func(v *protocol.VM) { v.MemoryPath, v.MemoryShared = "/t/ram", true }, flag: "-object", want: "memory-backend-file,id=mem,size=768M,mem-path=/t/ram,share=on"},
		{name: "machine uses the RAM file", edit: func(v *protocol.VM) { v.MemoryPath = "/t/ram" }, flag: "-M", want: "microvm,memory-backend=mem"},
		{name: "a clone maps the RAM file privately", edit: func(v *protocol.VM) { v.MemoryPath = "/t/ram" }, flag: "-object", want: "memory-backend-file,id=mem,size=768M,mem-path=/t/ram,share=off"},
		{name: "a resumed workspace has anonymous RAM named like a file's", edit: func(v *protocol.VM) { v.MemoryAnonymous = true }, flag: "-object", want: "memory-backend-ram,id=mem,size=768M"},
		{name: "machine uses the anonymous RAM backend", edit: func(v *protocol.VM) { v.MemoryAnonymous = true }, flag: "-M", want: "microvm,memory-backend=mem"},
		{name: "a restore waits for its state", edit: func(v *protocol.VM) { v.RestoreStatePath = "/t/state" }, flag: "-incoming", want: "defer"},
		{name: "qcow2 disk", edit: func(v *protocol.VM) { v.DiskFormat = "qcow2" }, flag: "-drive", want: "id=root,file=/img/root.ext4,format=qcow2,if=none,cache=writeback,snapshot=on"},
		{name: "commas in paths are escaped in option lists", edit: func(v *protocol.VM) { v.RunDir = "/a,b"; v.AgentSocketPath = "/a,b/agent.sock" }, has: []string{
			"socket,id=agent,path=/a,,b/agent.sock,server=on,wait=off", "unix:/a,,b/qmp.sock,server=on,wait=off",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm := baseVM()
			if tt.edit != nil {
				tt.edit(&vm)
			}
			args := Args(vm)
			if tt.flag != "" {
				if got := valueAfter(args, tt.flag); got != tt.want {
					t.Errorf("%s = %q, want %q", tt.flag, got, tt.want)
				}
			}
			for _, h := range tt.has {
				if !slices.Contains(args, h) {
					t.Errorf("argv lacks %q: %q", h, args)
				}
			}
			for _, h := range tt.hasNot {
				if slices.Contains(args, h) {
					t.Errorf("argv has %q: %q", h, args)
				}
			}
		})
	}
}

func TestKernelCommandLine(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*protocol.VM)
		has    []string
		hasNot []string
	}{
		{name: "root disk and panic into a VMM exit", has: []string{"console=ttyS0", "root=/dev/vda", "rootfstype=ext4", "rw", "reboot=t", "panic=-1"}},
		{name: "no init= (the initramfs starts the agent)", hasNot: []string{"init="}},
		{name: "TSC frequency under TCG", has: []string{"tsc_early_khz=2445404 tsc=reliable"}},
		{name: "no TSC parameters under KVM", edit: func(v *protocol.VM) { v.Accel = "kvm" }, hasNot: []string{"tsc_early_khz"}},
		{name: "no TSC parameters when unknown", edit: func(v *protocol.VM) { v.TSCKhz = 0 }, hasNot: []string{"tsc_early_khz"}},
		{name: "network parameter", edit: func(v *protocol.VM) {
			v.Network = &protocol.Network{TapName: "t", MAC: "m", KernelParam: "pyro.net=172.29.0.2/30,172.29.0.1"}
		}, has: []string{"pyro.net=172.29.0.2/30,172.29.0.1 pyro.modules=net"}},
		{name: "no network parameter and no NIC modules without a NIC", hasNot: []string{"pyro.net=", "pyro.modules="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm := baseVM()
			if tt.edit != nil {
				tt.edit(&vm)
			}
			cmdline := KernelCommandLine(vm)
			for _, h := range tt.has {
				if !strings.Contains(cmdline, h) {
					t.Errorf("%q lacks %q", cmdline, h)
				}
			}
			for _, h := range tt.hasNot {
				if strings.Contains(cmdline, h) {
					t.Errorf("%q has %q", cmdline, h)
				}
			}
		})
	}
}

func TestArgsIsPure(t *testing.T) {
	vm := baseVM()
	if a, b := Args(vm), Args(vm); !slices.Equal(a, b) {
		t.Fatalf("two calls differ:\n%q\n%q", a, b)
	}
	if vm != baseVM() {
		t.Fatal("Args changed its input")
	}
}

func TestCommandIsWhatStartRuns(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "qemu-system-x86_64")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	vm := baseVM()
	c, err := New(bin, nil).Command(vm)
	if err != nil {
		t.Fatal(err)
	}
	if c.Driver != "qemu" || c.Binary != bin || !slices.Equal(c.Args, Args(vm)) {
		t.Errorf("command = %+v, want qemu, %s and Args(vm)", c, bin)
	}
	if c.Env["TMPDIR"] != vm.TmpDir || c.Dir != "/run" {
		t.Errorf("env %v, dir %q: want TMPDIR=%s (the snapshot=on overlay's place), dir /run", c.Env, c.Dir, vm.TmpDir)
	}
	if c.KernelCmdline != valueAfter(c.Args, "-append") || c.KernelCmdline != KernelCommandLine(vm) {
		t.Errorf("kernel_cmdline %q differs from -append %q", c.KernelCmdline, valueAfter(c.Args, "-append"))
	}
	_, err = New(filepath.Join(t.TempDir(), "missing"), nil).Command(vm)
	var ue *vmm.UnavailableError
	if !errors.As(err, &ue) {
		t.Errorf("missing binary: %v, want *vmm.UnavailableError", err)
	}
}

// TestArgsGolden pins the whole argv: protocol/supervisor/vmm_command.json is what
// `pyro-supervisor argv` prints for sv_config.json's VM without its NIC and
// with an ephemeral disk (core reads the same file in its tests).
func TestArgsGolden(t *testing.T) {
	var cfg protocol.Config
	var want protocol.VMMCommand
	for file, v := range map[string]any{"sv_config.json": &cfg, "vmm_command.json": &want} {
		raw, err := os.ReadFile(filepath.Join("../../../../protocol/supervisor", file))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatal(err)
		}
	}
	cfg.VM.Network, cfg.VM.DiskMode = nil, "ephemeral"
	bin := filepath.Join(t.TempDir(), "qemu-system-x86_64")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := New(bin, nil).Command(cfg.VM)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Args, want.Args) {
		t.Errorf("argv differs from the golden file:\n got %q\nwant %q", got.Args, want.Args)
	}
	if got.KernelCmdline != want.KernelCmdline || got.Dir != want.Dir || !maps.Equal(got.Env, want.Env) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
