// Package firecracker is the Firecracker driver's place. Until it exists,
// every operation fails with a *vmm.UnavailableError (code vmm_unavailable),
// so choosing it is a clear refusal rather than a silent QEMU boot.
package firecracker

import (
	"context"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

// ExecutionMode is what Firecracker guests will report: the agent channel
// is a vsock stream.
const ExecutionMode = "guest_vsock"

// Driver is the Firecracker stub.
type Driver struct{}

var _ vmm.Driver = Driver{}

// New returns the stub driver.
func New() Driver { return Driver{} }

func unavailable() error {
	return &vmm.UnavailableError{Driver: "firecracker", Reason: "the Firecracker driver is not implemented yet", Hint: "use PYRO_VMM=qemu"}
}

// Name implements vmm.Driver.
func (Driver) Name() string { return "firecracker" }

// Capabilities implements vmm.Driver: what Firecracker will offer.
func (Driver) Capabilities() vmm.Capabilities {
	return vmm.Capabilities{PauseResume: true, SaveRestore: true, Vsock: true}
}

// ExecutionMode implements vmm.Driver.
func (Driver) ExecutionMode() string { return ExecutionMode }

// Probe implements vmm.Driver. Errors: always *vmm.UnavailableError.
func (Driver) Probe(context.Context, string) (vmm.Probe, error) {
	return vmm.Probe{Driver: "firecracker", ExecutionMode: ExecutionMode}, unavailable()
}

// Prepare implements vmm.Driver. Errors: always *vmm.UnavailableError.
func (Driver) Prepare(protocol.VM) error { return unavailable() }

// Start implements vmm.Driver. Errors: always *vmm.UnavailableError.
func (Driver) Start(context.Context) (vmm.Machine, error) { return nil, unavailable() }
