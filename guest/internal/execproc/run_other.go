//go:build !linux

package execproc

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(int) {}

func signalName(s syscall.Signal) string { return s.String() }
