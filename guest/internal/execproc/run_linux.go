package execproc

import (
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr makes the process a session and group leader, so a timeout
// or cancellation can kill everything it started with one kill(-pgid).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}

func killGroup(pgid int) {
	_ = unix.Kill(-pgid, unix.SIGKILL)
}

func signalName(s syscall.Signal) string {
	if name := unix.SignalName(s); name != "" {
		return strings.TrimPrefix(name, "SIG")
	}
	return s.String()
}
