package ports

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/tcptest"
)

func TestDialInvalidAndRefused(t *testing.T) {
	for _, p := range []int{0, -1, 65536} {
		if _, err := Dial(context.Background(), p); !errors.Is(err, ErrInvalid) {
			t.Errorf("port %d: %v, want ErrInvalid", p, err)
		}
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if _, err := Dial(context.Background(), port); !errors.Is(err, ErrRefused) {
		t.Errorf("closed port: %v, want ErrRefused", err)
	}
}

// The end of the input reaches the server as a half-close; its answer
// still arrives and its close ends the splice cleanly.
func TestSpliceHalfClose(t *testing.T) {
	port, _ := tcptest.EchoServer(t)
	conn, err := Dial(context.Background(), port)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got bytes.Buffer
	err = Splice(context.Background(), conn, strings.NewReader("ping\n"), func(b []byte) error {
		mu.Lock()
		defer mu.Unlock()
		got.Write(b)
		return nil
	})
	if err != nil || got.String() != "ping\n" {
		t.Errorf("Splice = %v, got %q", err, got.String())
	}
}

// Cancelling ends the splice at once and closes the server's connection.
func TestSpliceCancel(t *testing.T) {
	port, ended := tcptest.EchoServer(t)
	conn, err := Dial(context.Background(), port)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in, inW := io.Pipe() // never ends by itself
	defer inW.Close()
	done := make(chan error, 1)
	go func() { done <- Splice(ctx, conn, in, func([]byte) error { return nil }) }()
	inW.Write([]byte("x"))
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Splice = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Splice did not end on cancel")
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("server connection not closed")
	}
}
