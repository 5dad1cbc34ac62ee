//go:build !linux

package sysinit

import "errors"

var errUnsupported = errors.New("sysinit: needs Linux")

func Mount() error         { return errUnsupported }
func SetHostname() error   { return errUnsupported }
func EnsureConsole() error { return nil }
