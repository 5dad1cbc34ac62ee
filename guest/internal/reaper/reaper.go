// Package reaper collects the exit status of every child of this process.
//
// As PID 1 the agent inherits every orphan in the guest, so one goroutine
// loops wait4(-1, WNOHANG) whenever a child exits. Processes the agent starts itself are
// registered before the reaper can see them exit, so their status is
// delivered instead of lost; statuses of anything else are dropped.
// exec.Cmd.Wait must never be used on processes started here: it would race
// the reaper for the same pid.
package reaper

import (
	"errors"
	"os/exec"
	"sync"
	"syscall"
)

// Status is how a child ended: exactly one of Code or Signal is meaningful.
type Status struct {
	Exited bool           // true: the process called exit(Code)
	Code   int            // exit code when Exited
	Signal syscall.Signal // terminating signal when !Exited
}

// ExitCode is the shell convention: the exit code, or 128+N when killed by
// signal N.
func (s Status) ExitCode() int {
	if s.Exited {
		return s.Code
	}
	return 128 + int(s.Signal)
}

// ErrUnsupported is returned where the platform has no wait4 reaper.
var ErrUnsupported = errors.New("reaper: not supported on this platform")

var (
	// mu is held across fork+register and across each wait4 sweep, so a
	// child cannot be reaped between starting and being registered.
	mu      sync.Mutex
	waiters = map[int]chan Status{}

	initOnce sync.Once
	initErr  error
)

// Init starts the reaper goroutine; safe to call more than once.
func Init() error {
	initOnce.Do(func() { initErr = start() })
	return initErr
}

// Start starts cmd (which must not have been started) and returns a channel
// that receives its exit status exactly once. cmd.Wait must not be called.
func Start(cmd *exec.Cmd) (<-chan Status, error) {
	if err := Init(); err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ch := make(chan Status, 1)
	waiters[cmd.Process.Pid] = ch
	childStarted()
	return ch, nil
}

// deliver hands a reaped status to its waiter; the caller holds mu.
func deliver(pid int, st Status) {
	if ch, ok := waiters[pid]; ok {
		delete(waiters, pid)
		ch <- st
	}
}
