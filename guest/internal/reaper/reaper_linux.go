package reaper

import (
	"fmt"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

func start() error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGCHLD)
	if os.Getpid() != 1 {
		// Outside PID 1 (tests, debugging) adopt our orphans too, so a
		// backgrounded grandchild behaves as it would in the guest.
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("prctl PR_SET_CHILD_SUBREAPER: %w", err)
		}
	}
	go loop(sigs)
	sigs <- unix.SIGCHLD // sweep zombies that predate us (e.g. from an initramfs)
	return nil
}

// loop sweeps on every SIGCHLD. Signals coalesce, so each sweep reaps until
// wait4 reports nothing left; a child exiting after that raises a new one.
func loop(sigs <-chan os.Signal) {
	for range sigs {
		mu.Lock()
		sweep()
		mu.Unlock()
	}
}

func sweep() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 { // ECHILD: no children; 0: none exited
			return
		}
		if ws.Exited() {
			deliver(pid, Status{Exited: true, Code: ws.ExitStatus()})
		} else if ws.Signaled() {
			deliver(pid, Status{Signal: ws.Signal()})
		}
	}
}
