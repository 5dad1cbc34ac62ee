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
	_, probeErr := d.Probe(context.Background(), "")
	_, startErr := d.Start(context.Background())
	for name, err := range map[string]error{"Probe": probeErr, "Prepare": d.Prepare(protocol.VM{}), "Start": startErr} {
		var ue *vmm.UnavailableError
		if !errors.As(err, &ue) || ue.Coded().Code != "vmm_unavailable" {
			t.Errorf("%s: got %v, want a vmm_unavailable error", name, err)
		}
	}
}
