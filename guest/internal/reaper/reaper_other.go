//go:build !linux

package reaper

func start() error  { return ErrUnsupported }
func childStarted() {}
