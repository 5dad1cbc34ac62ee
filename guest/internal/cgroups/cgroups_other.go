//go:build !linux

package cgroups

import (
	"errors"
	"syscall"
)

// ErrUnsupported is returned where there is no cgroup v2.
var ErrUnsupported = errors.New("cgroups: not supported on this platform")

// Setup reports that user work cannot be confined on this platform.
func Setup() (*Manager, error) { return nil, ErrUnsupported }

// Apply does nothing on this platform.
func (l *Leaf) Apply(*syscall.SysProcAttr) {}

func killProcess(int) {}
