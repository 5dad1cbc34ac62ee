package protocol

// What `pyro-supervisor probe --json` and `pyro-supervisor argv --json`
// print. Core reads them (src/supervisor/vmm.ts, types in
// src/supervisor/protocol.ts); the golden files probe_report.json and
// vmm_command.json in protocol/supervisor (at the repository root) pin the JSON for both sides.

// ProbeReport is the host as the VMM drivers see it.
type ProbeReport struct {
	// Selected is the driver --vmm chose ("auto" resolves to "qemu").
	Selected string    `json:"selected"`
	KVM      KVMDevice `json:"kvm"`
	// Drivers holds every driver's probe, the selected one included.
	Drivers []DriverProbe `json:"drivers"`
}

// KVMDevice is what the calling user may do with /dev/kvm, checked live on
// every probe (never cached: group membership can change).
type KVMDevice struct {
	Path     string `json:"path"`
	Exists   bool   `json:"exists"`
	Readable bool   `json:"readable"`
	Writable bool   `json:"writable"`
}

// Capabilities are the optional features of a driver. A caller checks them
// (or calls vmm.Require) before using one.
type Capabilities struct {
	PauseResume bool `json:"pause_resume"` // stop and continue vCPUs in place
	SaveRestore bool `json:"save_restore"` // save guest memory and device state, boot from them
	Vsock       bool `json:"vsock"`        // the agent channel is AF_VSOCK rather than virtio-serial
	Hotplug     bool `json:"hotplug"`      // attach devices (disks, NICs) to a running VM
}

// DriverProbe is one driver's account of the host.
type DriverProbe struct {
	Driver string `json:"driver"` // "qemu" or "firecracker"
	// Available is false when the driver cannot boot a VM here; Reason says
	// why and Hint what to do ("" when available).
	Available bool   `json:"available"`
	Reason    string `json:"reason"`
	Hint      string `json:"hint"`
	// Binary is the VMM's absolute path, "" when it was not found; Version
	// e.g. "7.2.22", "" when unknown.
	Binary  string `json:"binary"`
	Version string `json:"version"`
	// Acceleration is "kvm" or "tcg", or "" while undecided (KVM usable but
	// not boot-tested yet: no guest kernel was given and none is cached).
	// AccelerationReason says why, e.g. "KVM present but guest probe
	// failed: emulation failure; using TCG".
	Acceleration       string `json:"acceleration"`
	AccelerationReason string `json:"acceleration_reason"`
	// KVMGuestBoots is the verdict of the KVM boot test (a guest kernel
	// booted under KVM); nil when no test has run on this host.
	KVMGuestBoots *bool `json:"kvm_guest_boots"`
	// Cached is true when the verdict and version came from the probe cache
	// rather than from running the VMM just now.
	Cached bool `json:"cached"`
	// CacheError says why the verdict could not be cached ("" = cached or no
	// cache asked for): every boot would then pay for the probe again.
	CacheError    string       `json:"cache_error"`
	ExecutionMode string       `json:"execution_mode"` // e.g. "guest_virtio_serial"
	Capabilities  Capabilities `json:"capabilities"`
	// DurationMs is how long this probe took, in ms.
	DurationMs int64 `json:"duration_ms"`
}

// VMMCommand is the exact process a driver spawns for one VM.
type VMMCommand struct {
	Driver string `json:"driver"`
	// Binary is the absolute path of the VMM; Args its argv without it.
	Binary string   `json:"binary"`
	Args   []string `json:"args"`
	// Env holds the variables set on top of the caller's environment
	// (QEMU: TMPDIR, where a snapshot=on overlay lives).
	Env map[string]string `json:"env"`
	// Dir is the working directory.
	Dir string `json:"dir"`
	// KernelCmdline is the guest kernel command line inside Args.
	KernelCmdline string `json:"kernel_cmdline"`
}
