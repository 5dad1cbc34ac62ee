//go:build !linux

package owner

func waitExit(pid int, done <-chan struct{}) bool { return pollExit(pid, done) }
