//go:build !linux

package procgroup

import "syscall"

type proc struct{ pid, pgid int }

func (t Target) Signal(syscall.Signal) {}

func (t Target) members() []proc { return nil }
