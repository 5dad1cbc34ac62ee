// Package firecracker is the Firecracker driver's place. Until it exists,
// every operation fails with a *vmm.UnavailableError (code vmm_unavailable),
// so choosing it is a clear refusal rather than a silent QEMU boot.
package firecracker

import (
	"context"
	"os/exec"
	"regexp"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

// ExecutionMode is what Firecracker guests will report: the agent channel
// is a vsock stream.
const ExecutionMode = "guest_vsock"

// Binary is the Firecracker binary looked up on PATH.
const Binary = "firecracker"

// Driver is the Firecracker stub.
type Driver struct{}

var _ vmm.Driver = Driver{}

// New returns the stub driver.
func New() Driver { return Driver{} }

func unavailable() *vmm.UnavailableError {
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

var versionRE = regexp.MustCompile(`Firecracker v(\S+)`)

// Probe implements vmm.Driver: never available, but it says whether a
// firecracker binary is on PATH and its version (`firecracker --version`,
// at most 5 s), so the report shows what a real driver would find.
func (d Driver) Probe(ctx context.Context, _ vmm.ProbeOptions) protocol.DriverProbe {
	started := time.Now()
	ue := unavailable()
	p := protocol.DriverProbe{Driver: d.Name(), Reason: ue.Reason, Hint: ue.Hint, ExecutionMode: ExecutionMode, Capabilities: d.Capabilities()}
	if bin, err := exec.LookPath(Binary); err == nil {
		p.Binary = bin
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, bin, "--version").Output(); err == nil {
			if m := versionRE.FindSubmatch(out); m != nil {
				p.Version = string(m[1])
			}
		}
	}
	p.DurationMs = time.Since(started).Milliseconds()
	return p
}

// Command implements vmm.Driver. Errors: always *vmm.UnavailableError.
func (Driver) Command(protocol.VM) (protocol.VMMCommand, error) {
	return protocol.VMMCommand{}, unavailable()
}

// Prepare implements vmm.Driver. Errors: always *vmm.UnavailableError.
func (Driver) Prepare(protocol.VM) error { return unavailable() }

// Start implements vmm.Driver. Errors: always *vmm.UnavailableError.
func (Driver) Start(context.Context) (vmm.Machine, error) { return nil, unavailable() }
