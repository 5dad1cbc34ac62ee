//go:build !linux

package network

import (
	"errors"
	"net"
)

var errUnsupported = errors.New("network: needs Linux")

func LoopbackUp() error             { return errUnsupported }
func Setup() error                  { return errUnsupported }
func Configure(Config) error        { return errUnsupported }
func SetMAC(net.HardwareAddr) error { return errUnsupported }
