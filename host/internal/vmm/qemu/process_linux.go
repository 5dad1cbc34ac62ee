package qemu

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

// startProcess starts cmd so that it is SIGKILLed when this process dies,
// and returns a channel that delivers cmd.Wait's result.
//
// Pdeathsig fires when the *thread* that forked the child exits, not the
// process. The Go runtime may retire an idle thread, so the child is started
// and waited for on a goroutine locked to its thread: the thread lives
// exactly as long as the child (a locked goroutine that returns takes its
// thread with it, after the child is gone).
func startProcess(cmd *exec.Cmd) (<-chan error, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	waited := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: see above
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		waited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return waited, nil
}

// killProcess sends SIGKILL to pid.
func killProcess(pid int) error {
	return unix.Kill(pid, unix.SIGKILL)
}

// exitOf turns a wait status into a vmm.Exit (code or signal name).
func exitOf(ps *os.ProcessState) vmm.Exit {
	if ps == nil {
		return vmm.Exit{}
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return vmm.Exit{Signal: unix.SignalName(ws.Signal())}
	}
	return vmm.Exit{Code: vmm.ExitCode(ps.ExitCode())}
}

// tryLock takes an exclusive flock on f without waiting: false when another
// process holds it.
func tryLock(f *os.File) (bool, error) {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if err == unix.EWOULDBLOCK {
		return false, nil
	}
	return err == nil, err
}

// hostKernelID is `uname -r` and `uname -v`, space-separated: the probe
// verdict holds for one host kernel build.
func hostKernelID() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:]) + " " + unix.ByteSliceToString(u.Version[:])
}
