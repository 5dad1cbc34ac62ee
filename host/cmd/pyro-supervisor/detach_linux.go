package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// restrictUmask makes every file this process and its VMM create private.
func restrictUmask() { unix.Umask(0o077) }

// detachStdout points fd 1 at /dev/null once the launch line is written:
// the launcher has stopped reading, and a later stray write must not raise
// SIGPIPE.
func detachStdout() {
	_ = os.Stdout.Sync()
	if f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		_ = unix.Dup2(int(f.Fd()), 1)
		f.Close()
	}
}
