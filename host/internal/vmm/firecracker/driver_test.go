package firecracker

import (
	"context"
	"errors"
	"testing"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

func TestEveryOperationIsUnavailable(t *testing.T) {
	d := New()
	_, startErr := d.Start(context.Background())
	_, cmdErr := d.Command(protocol.VM{})
	for name, err := range map[string]error{"Command": cmdErr, "Prepare": d.Prepare(protocol.VM{}), "Start": startErr} {
		var ue *vmm.UnavailableError
		if !errors.As(err, &ue) || ue.Coded().Code != "vmm_unavailable" {
			t.Errorf("%s: got %v, want a vmm_unavailable error", name, err)
		}
	}
}

func TestProbeReportsUnavailableWithReason(t *testing.T) {
	p := New().Probe(context.Background(), vmm.ProbeOptions{})
	if p.Available || p.Reason == "" || p.Hint == "" || p.Acceleration != "" {
		t.Errorf("probe = %+v, want unavailable with a reason and a hint, no acceleration", p)
	}
	if p.Driver != "firecracker" || p.ExecutionMode != "guest_vsock" || !p.Capabilities.Vsock {
		t.Errorf("probe = %+v, want firecracker, guest_vsock, vsock", p)
	}
}
