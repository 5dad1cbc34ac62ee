package sysinit

import (
	"os"
	"os/signal"
	"syscall"
)

// ShieldSignals keeps PID 1 alive when someone in the guest runs `kill 1`:
// the kernel only delivers signals init handles, and Go's default handling
// of these is to exit, which would panic the kernel. They are caught and
// dropped, not ignored, because ignored signals stay ignored across exec and
// every command would inherit that (e.g. no SIGPIPE for `yes | head`).
func ShieldSignals() {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGALRM, syscall.SIGPIPE)
	go func() {
		for range ch {
		}
	}()
}
