// Package protocol holds the supervisor's side of its contracts with core:
// the launch config core writes to run/sv-config.json, the state record
// (run/sv.json and GET /v1/status), the API request bodies and the error
// codes. The TypeScript twins live in src/supervisor/protocol.ts; the golden
// files in protocol/supervisor (at the repository root) pin the JSON shape for both languages.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
)

// Config is run/sv-config.json, read once at start. Field names are the
// camelCase ones core writes (SupervisorConfig in protocol.ts).
type Config struct {
	VM VM `json:"vm"`
	// VMM names the driver: "qemu" (also "" and "auto") or "firecracker".
	VMM        string `json:"vmm,omitempty"`
	QEMUBinary string `json:"qemuBinary"`
	// TTLSeconds is the idle time after which the VM is stopped, in seconds; 0 = never.
	TTLSeconds int64 `json:"ttlSeconds"`
	// OwnerPID is a process whose death kills the VM and removes its directory; nil = none.
	OwnerPID *int `json:"ownerPid"`
	// BootTimeoutMs is the longest time from VMM start to the agent answering, in ms.
	BootTimeoutMs int64 `json:"bootTimeoutMs"`
	// RestoreTimeoutMs bounds a start from saved state (vm.restoreStatePath),
	// from VMM spawn to the agent answering, in ms; 0 = BootTimeoutMs. Past it
	// the VM fails with restore_failed and the caller boots cold instead.
	RestoreTimeoutMs int64 `json:"restoreTimeoutMs,omitempty"`
	// Identity is what the guest is told to be once its agent answers: host
	// name and machine id, with the wall clock, fresh entropy and its NIC
	// (vm.network). Required for a restored VM (a clone must never keep its
	// template's); nil = the agent keeps what it booted with.
	Identity   *Identity `json:"identity,omitempty"`
	SocketPath string    `json:"socketPath"`
	PidPath    string    `json:"pidPath"`
	StatePath  string    `json:"statePath"`
	LogPath    string    `json:"logPath"`
}

// Identity is a guest's own name (IdentityConfig in protocol.ts).
type Identity struct {
	// Hostname is the kernel host name, e.g. "vm-0123456789ab".
	Hostname string `json:"hostname"`
	// MachineID is /etc/machine-id: 32 lowercase hex digits.
	MachineID string `json:"machineId"`
}

// VM is everything a driver needs to boot one microVM (VmConfig in
// src/supervisor/protocol.ts). Sizes are in MiB, counts in vCPUs.
type VM struct {
	VMID string `json:"vmId"`
	// KernelPath is the guest kernel; InitrdPath the initramfs that carries the agent as PID 1.
	KernelPath string `json:"kernelPath"`
	InitrdPath string `json:"initrdPath"`
	RootfsPath string `json:"rootfsPath"`
	// DiskMode is "ephemeral" (writes go to a throw-away overlay) or "persistent".
	DiskMode string `json:"diskMode"`
	// DiskFormat is the root disk's image format: "raw" (also "") or "qcow2"
	// (a template's overlay, or a clone's copy of it).
	DiskFormat string `json:"diskFormat,omitempty"`
	// MemoryPath puts guest RAM in this file (memory-backend-file) instead
	// of anonymous memory: what a saved state leaves out (x-ignore-shared)
	// and a restore maps again. "" = anonymous RAM.
	MemoryPath string `json:"memoryPath,omitempty"`
	// MemoryShared maps MemoryPath shared: guest writes reach the file (a
	// template being made). false = a private copy-on-write mapping (a
	// clone: the file never changes).
	MemoryShared bool `json:"memoryShared,omitempty"`
	// MemoryAnonymous puts guest RAM in anonymous memory under the same
	// backend name as a file's (memory-backend-ram,id=mem): a paused
	// workspace that ran with RAM in a (template's) file resumes with private
	// RAM, every page from its saved state, and no file to keep. Not with
	// MemoryPath.
	MemoryAnonymous bool `json:"memoryAnonymous,omitempty"`
	// RestoreStatePath starts the VM from the device state saved in this
	// file (and RAM from MemoryPath) instead of booting the kernel; the
	// rest of the VM must match the one that saved it. "" = cold boot.
	RestoreStatePath string `json:"restoreStatePath,omitempty"`
	VCPUCount        int    `json:"vcpuCount"`
	MemMib           int    `json:"memMib"`
	// Accel is "kvm" or "tcg", as core's probe decided.
	Accel string `json:"accel"`
	// TSCKhz is the host TSC frequency in kHz, given to TCG guests; 0 = unknown.
	TSCKhz int64 `json:"tscKhz,omitempty"`
	// DeviceDiscovery is "acpi" (microvm with ACPI) or "cmdline" (acpi=off,
	// virtio-mmio devices on the kernel command line).
	DeviceDiscovery string   `json:"deviceDiscovery"`
	RunDir          string   `json:"runDir"`
	AgentSocketPath string   `json:"agentSocketPath"`
	ConsoleLogPath  string   `json:"consoleLogPath"`
	TmpDir          string   `json:"tmpDir"`
	Network         *Network `json:"network,omitempty"`
}

// Network is the guest's one NIC: the host TAP and the kernel parameter the
// agent configures it from (pyro.net=IP/PREFIX,GATEWAY[,DNS...]).
type Network struct {
	TapName     string `json:"tapName"`
	MAC         string `json:"mac"`
	KernelParam string `json:"kernelParam"`
}

// machineIDPattern is what /etc/machine-id holds (machine-id(5)).
var machineIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ErrBadConfig wraps every reason a launch config is refused.
var ErrBadConfig = errors.New("invalid supervisor config")

// LoadConfig reads and checks the launch config at path. Unknown fields are
// refused, so a field core adds without the supervisor knowing it fails
// loudly at launch instead of being ignored.
// Errors wrap ErrBadConfig, or the os error when the file cannot be read.
func LoadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return ParseConfig(raw)
}

// ParseConfig decodes and checks a launch config. Errors wrap ErrBadConfig.
func ParseConfig(raw []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	return &c, nil
}

func (c *Config) validate() error {
	var errs []error
	need := func(name, v string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is required", name))
		}
	}
	need("vm.vmId", c.VM.VMID)
	need("vm.kernelPath", c.VM.KernelPath)
	need("vm.initrdPath", c.VM.InitrdPath)
	need("vm.rootfsPath", c.VM.RootfsPath)
	need("vm.runDir", c.VM.RunDir)
	need("vm.agentSocketPath", c.VM.AgentSocketPath)
	need("vm.consoleLogPath", c.VM.ConsoleLogPath)
	need("vm.tmpDir", c.VM.TmpDir)
	need("socketPath", c.SocketPath)
	need("pidPath", c.PidPath)
	need("statePath", c.StatePath)
	need("logPath", c.LogPath)
	oneOf := func(name, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		errs = append(errs, fmt.Errorf("%s %q is not one of %q", name, v, allowed))
	}
	oneOf("vm.diskMode", c.VM.DiskMode, "ephemeral", "persistent")
	oneOf("vm.accel", c.VM.Accel, "kvm", "tcg")
	oneOf("vm.deviceDiscovery", c.VM.DeviceDiscovery, "acpi", "cmdline")
	oneOf("vmm", c.VMM, "", "auto", "qemu", "firecracker")
	oneOf("vm.diskFormat", c.VM.DiskFormat, "", "raw", "qcow2")
	if c.VM.MemoryShared && c.VM.MemoryPath == "" {
		errs = append(errs, errors.New("vm.memoryShared needs vm.memoryPath"))
	}
	if c.VM.MemoryAnonymous && c.VM.MemoryPath != "" {
		errs = append(errs, errors.New("vm.memoryAnonymous and vm.memoryPath exclude each other"))
	}
	if c.VM.RestoreStatePath != "" && c.Identity == nil {
		errs = append(errs, errors.New("vm.restoreStatePath needs identity: a clone must not keep its template's"))
	}
	if id := c.Identity; id != nil && (id.Hostname == "" || !machineIDPattern.MatchString(id.MachineID)) {
		errs = append(errs, fmt.Errorf("identity needs a hostname and a machineId of 32 lowercase hex digits"))
	}
	if c.VM.VCPUCount < 1 || c.VM.MemMib < 1 {
		errs = append(errs, fmt.Errorf("vm.vcpuCount %d and vm.memMib %d must be at least 1", c.VM.VCPUCount, c.VM.MemMib))
	}
	if c.TTLSeconds < 0 || c.BootTimeoutMs <= 0 || c.RestoreTimeoutMs < 0 {
		errs = append(errs, fmt.Errorf("ttlSeconds %d must be >= 0 and bootTimeoutMs %d > 0", c.TTLSeconds, c.BootTimeoutMs))
	}
	if n := c.VM.Network; n != nil && (n.TapName == "" || n.MAC == "" || n.KernelParam == "") {
		errs = append(errs, errors.New("vm.network needs tapName, mac and kernelParam"))
	}
	return errors.Join(errs...)
}
