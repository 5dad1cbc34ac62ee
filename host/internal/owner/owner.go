// Package owner watches the process that owns a one-shot VM (the CLI of a
// `pyro run`): when it dies, nobody is left to delete the VM, so the
// supervisor kills it and removes its directory.
package owner

import (
	"errors"
	"os"
	"strconv"
	"sync"
	"time"
)

// pollInterval is how often the watch checks when it cannot wait on a pidfd.
const pollInterval = time.Second

// Watch calls gone (once, on its own goroutine) when process pid has exited,
// or at once if it is not running. The returned stop ends the watch.
func Watch(pid int, gone func()) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	stop = func() { once.Do(func() { close(done) }) }
	go func() {
		if waitExit(pid, done) {
			gone()
		}
	}()
	return stop
}

// alive reports whether /proc/<pid> exists.
func alive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return !errors.Is(err, os.ErrNotExist)
}

// pollExit checks /proc once per pollInterval; true when pid is gone, false
// when done was closed first.
func pollExit(pid int, done <-chan struct{}) bool {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for alive(pid) {
		select {
		case <-done:
			return false
		case <-t.C:
		}
	}
	return true
}
