//go:build !linux

package power

func Sync() error { return nil }

func Off() error { return ErrNotInit }
