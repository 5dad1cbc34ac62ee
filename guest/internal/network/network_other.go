//go:build !linux

package network

import "errors"

func LoopbackUp() error { return errors.New("network: needs Linux") }
