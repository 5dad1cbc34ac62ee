package owner

import (
	"golang.org/x/sys/unix"
)

// waitExit waits on a pidfd (woken the moment pid exits, and immune to pid
// reuse); kernels without pidfd_open fall back to polling /proc. True when
// pid is gone, false when done was closed first.
func waitExit(pid int, done <-chan struct{}) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err == unix.ESRCH {
		return true
	}
	if err != nil {
		return pollExit(pid, done)
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		select {
		case <-done:
			return false
		default:
		}
		n, err := unix.Poll(fds, int(pollInterval.Milliseconds()))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return pollExit(pid, done)
		}
		if n > 0 {
			return true
		}
	}
}
