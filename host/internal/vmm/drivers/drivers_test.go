package drivers

import (
	"errors"
	"testing"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

func TestNew(t *testing.T) {
	tests := []struct{ name, want string }{
		{"", "qemu"}, {"auto", "qemu"}, {"qemu", "qemu"}, {"firecracker", "firecracker"},
	}
	for _, tt := range tests {
		d, err := New(tt.name, "", nil)
		if err != nil || d.Name() != tt.want {
			t.Errorf("New(%q) = %v, %v; want %s", tt.name, d, err, tt.want)
		}
	}
	if _, err := New("xen", "", nil); !errors.Is(err, protocol.ErrInvalidArgument) {
		t.Errorf("New(xen) error = %v, want ErrInvalidArgument", err)
	}
}
