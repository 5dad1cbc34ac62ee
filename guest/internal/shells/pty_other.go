//go:build !linux

package shells

import (
	"os"
	"syscall"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
)

func startPTY([]string, []string, string, int, int, *cgroups.Leaf) (started, error) {
	return started{}, ErrUnsupported
}

func setSize(*os.File, int, int) error    { return ErrUnsupported }
func foreground(*os.File) (int, error)    { return 0, ErrUnsupported }
func killGroup(int, syscall.Signal) error { return ErrUnsupported }
