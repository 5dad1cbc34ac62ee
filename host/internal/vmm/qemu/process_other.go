//go:build !linux

package qemu

import (
	"errors"
	"os"
	"os/exec"

	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

var errNotLinux = errors.New("qemu: the supervisor runs VMs on Linux only")

func startProcess(*exec.Cmd) (<-chan error, error) { return nil, errNotLinux }

func killProcess(int) error { return errNotLinux }

func exitOf(ps *os.ProcessState) vmm.Exit {
	if ps == nil {
		return vmm.Exit{}
	}
	return vmm.Exit{Code: vmm.ExitCode(ps.ExitCode())}
}

func tryLock(*os.File) (bool, error) { return false, errNotLinux }

func hostKernelID() string { return "" }
