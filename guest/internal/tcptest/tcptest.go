// Package tcptest holds TCP servers for the agent's tests (port streams,
// splices); only _test.go files import it.
package tcptest

import (
	"io"
	"net"
	"testing"
)

// EchoServer listens on 127.0.0.1 (closed when t ends) and answers every
// connection with what it read, closing it once the client half-closes.
// The end of each server-side connection is reported on ended with the
// copy's error (nil for a clean end); the channel buffers 8.
func EchoServer(t testing.TB) (port int, ended <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan error, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				_, err := io.Copy(c, c)
				c.Close()
				ch <- err
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, ch
}
