package api

import (
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary double as a service under test: with
// PYRO_TEST_HELPER set it serves on PYRO_TEST_ADDR after a short delay
// (so readiness probes have to retry) instead of running tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv("PYRO_TEST_HELPER"); mode != "" {
		time.Sleep(200 * time.Millisecond)
		ln, err := net.Listen("tcp", os.Getenv("PYRO_TEST_ADDR"))
		if err != nil {
			os.Exit(2)
		}
		if mode == "http" { // 404 for everything: any answer below 500 is "up"
			_ = http.Serve(ln, http.NotFoundHandler())
		}
		for {
			if c, err := ln.Accept(); err == nil {
				c.Close()
			}
		}
	}
	os.Exit(m.Run())
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
