// Package vmm is the seam between the supervisor and a virtual machine
// monitor. The supervisor never branches on a driver name: it prepares the
// VM, starts it, dials the guest agent channel the driver hands back, and
// stops or kills it. QEMU (qemu/) implements the interface over QMP;
// Firecracker (firecracker/) answers vmm_unavailable until it exists.
package vmm

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// Capabilities are the optional features of a driver (the JSON the probe
// prints, hence defined in protocol). A caller checks them (or calls
// Require) before using one; a missing one is ErrUnsupported.
type Capabilities = protocol.Capabilities

// ProbeOptions tune Driver.Probe.
type ProbeOptions struct {
	// KernelPath is a guest kernel to boot under KVM, to check that KVM
	// really works (at most 8 s); "" = no boot test (the verdict stays
	// undecided unless the cache has one).
	KernelPath string
	// CachePath is the probe cache file (core: $PYRO_ENVIRONMENT_CACHE_DIR/
	// host/accel-probe.json): a verdict found there for this host kernel and
	// VMM binary is reused, a new one is written there. "" = no cache.
	CachePath string
}

// Driver is one VMM implementation, bound to one VM (one supervisor runs one
// VM). Methods are safe for concurrent use once Start has returned.
type Driver interface {
	// Name is "qemu" or "firecracker".
	Name() string
	// Capabilities reports the optional features.
	Capabilities() Capabilities
	// ExecutionMode is recorded in VM and workspace records, e.g. "guest_virtio_serial".
	ExecutionMode() string
	// Probe finds the VMM binary and its version, says whether the driver
	// can run here and why not, and decides kvm or tcg and why. It never
	// fails: what went wrong is in the report (Available, Reason).
	Probe(ctx context.Context, opts ProbeOptions) protocol.DriverProbe
	// Command is the exact process Start spawns for vm (binary, argv,
	// environment, working directory), built without touching the host
	// beyond finding the binary. Errors: *UnavailableError.
	Command(vm protocol.VM) (protocol.VMMCommand, error)
	// Prepare checks vm and readies the run directory (tmp dir, stale
	// sockets removed). Errors wrap protocol.ErrInvalidArgument or the os error.
	Prepare(vm protocol.VM) error
	// Start spawns the VMM for the prepared VM; it dies with the calling
	// process (Pdeathsig). Errors: *UnavailableError (binary missing), os errors.
	Start(ctx context.Context) (Machine, error)
}

// Machine is a started VMM process.
type Machine interface {
	// PID of the VMM process.
	PID() int
	// Done is closed once the process has exited and Exit is final.
	Done() <-chan struct{}
	// Exit reports how the process ended; valid after Done is closed.
	Exit() Exit
	// DialAgent connects the host end of the guest agent channel (a byte
	// stream), retrying until the VMM has created it or ctx ends.
	// Errors: ctx's error, or an error naming the VMM's stderr if it exited.
	DialAgent(ctx context.Context) (net.Conn, error)
	// Status asks the VMM for the guest's run state ("running", "paused",
	// "shutdown", "internal-error", ...). Errors when the VMM does not answer.
	Status(ctx context.Context) (string, error)
	// Stop ends the VMM. graceful first asks the guest to power off (ACPI
	// power button, where the machine has ACPI) and waits up to timeout for
	// it to exit; then, or at once when not graceful, asks the VMM to quit,
	// and kills it when even that fails within a second. Returns the exit.
	Stop(ctx context.Context, graceful bool, timeout time.Duration) (Exit, error)
	// Kill sends SIGKILL and waits for the process to be reaped.
	Kill() Exit
	// Save writes the VM's device state (and its RAM unless that lives in
	// the VM's memory file) to the file path and returns once it is
	// complete; the VM stays paused, for the caller to stop. Together with
	// Restore, the base of templates (and later pause and fork). Errors:
	// *UnsupportedError without Capabilities.SaveRestore, the VMM's error.
	Save(ctx context.Context, path string) error
	// Restore loads the state Save wrote to path into a VM started with
	// protocol.VM.RestoreStatePath, and returns once its vCPUs run again.
	// Bounded only by ctx: the caller verifies the guest and bounds both.
	// Errors: *UnsupportedError, the VMM's error or exit, ctx's cause.
	Restore(ctx context.Context, path string) error
	// Continue runs the vCPUs of a VM that Save left paused (a fork's
	// parent carries on) and returns once it runs. Errors: *UnsupportedError,
	// the VMM's error or exit, ctx's cause.
	Continue(ctx context.Context) error
}

// Exit is how a VMM process ended. Reason is the VMM's own account when it
// gave one before exiting (QEMU's SHUTDOWN event: "guest-shutdown",
// "guest-reset", "host-qmp-quit", ...), else "".
type Exit struct {
	Code   *int   // exit status, nil when killed by a signal
	Signal string // e.g. "SIGKILL"; "" when it exited by itself
	Reason string // the VMM's shutdown reason, if any
	At     time.Time
	Stderr string // the tail of the VMM's stderr, at most a few KiB
}

// Require returns nil when caps has the capability named by has, else an
// error wrapping ErrUnsupported that names the driver and the feature.
func Require(d Driver, feature string, has func(Capabilities) bool) error {
	if has(d.Capabilities()) {
		return nil
	}
	return &UnsupportedError{Driver: d.Name(), Feature: feature}
}

// ExitCode returns a pointer to code, for Exit.Code.
func ExitCode(code int) *int { return &code }

// Describe says how the VMM ended: "killed by SIGKILL", "exited with code 1",
// "exited with code 0 (guest-reset)". Stderr is not included.
func (e Exit) Describe() string {
	how := "exited"
	switch {
	case e.Signal != "":
		how = "was killed by " + e.Signal
	case e.Code != nil:
		how = fmt.Sprintf("exited with code %d", *e.Code)
	}
	if e.Reason != "" {
		how += " (" + e.Reason + ")"
	}
	return how
}
