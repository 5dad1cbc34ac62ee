package vmm_test

import (
	"errors"
	"testing"

	"github.com/pyro-mcp/pyro/host/internal/vmm"
	"github.com/pyro-mcp/pyro/host/internal/vmm/firecracker"
	"github.com/pyro-mcp/pyro/host/internal/vmm/qemu"
)

func TestExitDescribe(t *testing.T) {
	tests := []struct {
		exit vmm.Exit
		want string
	}{
		{vmm.Exit{Signal: "SIGKILL"}, "was killed by SIGKILL"},
		{vmm.Exit{Code: vmm.ExitCode(1)}, "exited with code 1"},
		{vmm.Exit{Code: vmm.ExitCode(0), Reason: "guest-reset"}, "exited with code 0 (guest-reset)"},
		{vmm.Exit{}, "exited"},
	}
	for _, tt := range tests {
		if got := tt.exit.Describe(); got != tt.want {
			t.Errorf("Describe(%+v) = %q, want %q", tt.exit, got, tt.want)
		}
	}
}

func TestRequire(t *testing.T) {
	pause := func(c vmm.Capabilities) bool { return c.PauseResume }
	tests := []struct {
		d       vmm.Driver
		wantErr bool
	}{
		{qemu.New("", nil), true}, // not used by pyro yet
		{firecracker.New(), false},
	}
	for _, tt := range tests {
		err := vmm.Require(tt.d, "pause/resume", pause)
		if tt.wantErr != (err != nil) || (err != nil && !errors.Is(err, vmm.ErrUnsupported)) {
			t.Errorf("%s: Require = %v", tt.d.Name(), err)
		}
	}
}
