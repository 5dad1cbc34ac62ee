package reaper

import (
	"errors"
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
	return nil
}

// kick wakes a loop that found no child at all: Start has just made one.
var kick = make(chan struct{}, 1)

func childStarted() {
	select {
	case kick <- struct{}{}:
	default:
	}
}

// loop sweeps whenever a child can be waited for. It blocks in
// waitid(WNOWAIT), which the kernel ends the moment a child exits: under
// emulation SIGCHLD's way through the runtime's signal goroutine to ours
// takes milliseconds more, and an exec's answer waits for its status.
// WNOWAIT leaves the reaping to sweep, under mu. With no child at all
// waitid fails at once (ECHILD); loop then waits for Start or for SIGCHLD
// (an orphan reparented to PID 1).
func loop(sigs <-chan os.Signal) {
	for {
		mu.Lock()
		sweep() // also the zombies that predate us (e.g. from an initramfs)
		mu.Unlock()
		var info unix.Siginfo
		err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if errors.Is(err, unix.ECHILD) {
			select {
			case <-sigs:
			case <-kick:
			}
		}
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
