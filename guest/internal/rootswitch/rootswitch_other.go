//go:build !linux

package rootswitch

import "errors"

var errNotLinux = errors.New("rootswitch: Linux only")

// InInitramfs is always false off Linux.
func InInitramfs() bool { return false }

// EarlyMounts is Linux-only.
func EarlyMounts() error { return errNotLinux }

// LoadModules is Linux-only.
func LoadModules() error { return errNotLinux }

// Switch is Linux-only.
func Switch() error { return errNotLinux }
