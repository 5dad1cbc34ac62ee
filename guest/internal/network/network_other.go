//go:build !linux

package network

import "errors"

var errUnsupported = errors.New("network: needs Linux")

func LoopbackUp() error      { return errUnsupported }
func Setup() error           { return errUnsupported }
func Configure(Config) error { return errUnsupported }
