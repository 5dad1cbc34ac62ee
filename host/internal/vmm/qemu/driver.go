package qemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

// DefaultBinary is the QEMU binary looked up on PATH when none is configured.
const DefaultBinary = "qemu-system-x86_64"

// ExecutionMode is what QEMU guests report: the agent channel is a
// virtio-serial port.
const ExecutionMode = "guest_virtio_serial"

// Driver runs one VM under QEMU microvm.
type Driver struct {
	binary  string
	kvmPath string // vmm.KVMDevicePath; tests point it elsewhere
	log     *slog.Logger
	vm      *protocol.VM
}

// New returns the QEMU driver. binary is a path or a name looked up on PATH
// ("" = DefaultBinary); log receives the VMM's stderr lines and QMP events.
func New(binary string, log *slog.Logger) *Driver {
	if binary == "" {
		binary = DefaultBinary
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Driver{binary: binary, kvmPath: vmm.KVMDevicePath, log: log}
}

var _ vmm.Driver = (*Driver)(nil)

// Name implements vmm.Driver.
func (d *Driver) Name() string { return "qemu" }

// Capabilities implements vmm.Driver: save and restore (migration to and
// from a file, snapshot.go). Pause in place is not used yet.
func (d *Driver) Capabilities() vmm.Capabilities { return vmm.Capabilities{SaveRestore: true} }

// ExecutionMode implements vmm.Driver.
func (d *Driver) ExecutionMode() string { return ExecutionMode }

// lookPath resolves the binary. Errors: *vmm.UnavailableError.
func (d *Driver) lookPath() (string, error) {
	path, err := exec.LookPath(d.binary)
	if err != nil {
		return "", &vmm.UnavailableError{Driver: "qemu", Reason: fmt.Sprintf("%s: %v", d.binary, err), Hint: "install qemu-system-x86 (scripts/setup.sh) or set PYRO_QEMU_BINARY"}
	}
	return path, nil
}

// Command implements vmm.Driver: Args and KernelCommandLine for vm, QEMU's
// TMPDIR set to vm.TmpDir (where the ephemeral disk's snapshot=on overlay
// lives, so it dies with the VM directory) and the VM directory as working
// directory. Errors: *vmm.UnavailableError when the binary is missing.
func (d *Driver) Command(vm protocol.VM) (protocol.VMMCommand, error) {
	bin, err := d.lookPath()
	if err != nil {
		return protocol.VMMCommand{}, err
	}
	return protocol.VMMCommand{
		Driver:        d.Name(),
		Binary:        bin,
		Args:          Args(vm),
		Env:           map[string]string{"TMPDIR": vm.TmpDir},
		Dir:           filepath.Dir(vm.RunDir),
		KernelCmdline: KernelCommandLine(vm),
	}, nil
}

// Prepare implements vmm.Driver: it creates the VM's tmp dir (0700; QEMU's
// TMPDIR, where the ephemeral disk overlay lives) and removes stale sockets
// of a previous run. Errors wrap protocol.ErrInvalidArgument or the os error.
func (d *Driver) Prepare(vm protocol.VM) error {
	files := map[string]string{"kernel": vm.KernelPath, "initramfs": vm.InitrdPath, "root disk": vm.RootfsPath}
	if vm.RestoreStatePath != "" {
		files["saved state"] = vm.RestoreStatePath
		if vm.MemoryPath != "" {
			files["memory file"] = vm.MemoryPath
		}
	}
	for name, p := range files {
		if _, err := os.Stat(p); err != nil {
			return protocol.Errorf(protocol.ErrInvalidArgument, "%s %s: %w", name, p, err)
		}
	}
	if err := os.MkdirAll(vm.TmpDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", vm.TmpDir, err)
	}
	for _, sock := range []string{vm.AgentSocketPath, QMPSocketPath(vm)} {
		if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale socket %s: %w", sock, err)
		}
	}
	d.vm = &vm
	return nil
}

// Start implements vmm.Driver: it spawns QEMU (dying with this process
// through Pdeathsig, stdout discarded, stderr to the log) and connects QMP in
// the background. Errors: *vmm.UnavailableError when the binary is missing,
// the spawn error otherwise.
func (d *Driver) Start(ctx context.Context) (vmm.Machine, error) {
	if d.vm == nil {
		return nil, errors.New("qemu: Start before Prepare")
	}
	vm := *d.vm
	c, err := d.Command(vm)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.Binary, c.Args...)
	cmd.Env = os.Environ()
	for k, v := range c.Env {
		cmd.Env = append(cmd.Env, k+"="+v) // exec keeps the last of duplicates
	}
	cmd.Dir = c.Dir
	stderr := newTail(stderrTailBytes, func(line string) { d.log.Error("vmm_stderr", "text", line) })
	cmd.Stderr = stderr
	m := &machine{vm: vm, done: make(chan struct{}), stderr: stderr, log: d.log}
	wait, err := startProcess(cmd)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", c.Binary, err)
	}
	m.pid = cmd.Process.Pid
	m.memory = openMemoryFile(vm)
	go m.reap(wait, cmd)
	go m.connectQMP()
	return m, nil
}
