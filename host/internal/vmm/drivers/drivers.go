// Package drivers is the one place a VMM driver is chosen by name.
package drivers

import (
	"log/slog"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
	"github.com/pyro-mcp/pyro/host/internal/vmm/firecracker"
	"github.com/pyro-mcp/pyro/host/internal/vmm/qemu"
)

// Names lists every driver, in the order a probe reports them.
var Names = []string{"qemu", "firecracker"}

// New returns the driver called name: "qemu", "firecracker", or "auto"/""
// (QEMU until Firecracker exists; then Firecracker when its binary and a
// working KVM are present). qemuBinary is QEMU's path or name.
// Errors wrap protocol.ErrInvalidArgument for an unknown name.
func New(name, qemuBinary string, log *slog.Logger) (vmm.Driver, error) {
	switch name {
	case "", "auto", "qemu":
		return qemu.New(qemuBinary, log), nil
	case "firecracker":
		return firecracker.New(), nil
	}
	return nil, protocol.Errorf(protocol.ErrInvalidArgument, "unknown VMM %q (auto, qemu or firecracker)", name)
}
