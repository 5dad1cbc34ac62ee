package ports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// echoUpper stands in for the agent: it reads the client's bytes to EOF (the
// half-close), then answers with them upper-cased and ends the stream.
func echoUpper(ctx context.Context, guestPort int, body io.ReadCloser) (*http.Response, error) {
	pr, pw := io.Pipe()
	go func() {
		defer body.Close() // as the HTTP/2 transport does
		in, _ := io.ReadAll(body)
		_, _ = fmt.Fprintf(pw, "%d:%s", guestPort, strings.ToUpper(string(in)))
		pw.Close()
	}()
	return &http.Response{StatusCode: 200, Body: pr}, nil
}

// hold keeps every stream open until the client's side ends, then ends it
// (a guest server that closes on EOF).
func hold(_ context.Context, _ int, body io.ReadCloser) (*http.Response, error) {
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.Copy(io.Discard, body)
		body.Close()
		pw.Close()
	}()
	return &http.Response{StatusCode: 200, Body: pr}, nil
}

func newPublisher(open Opener, live LiveCheck) (*Publisher, *atomic.Int32) {
	var changes atomic.Int32
	if live == nil {
		live = func(context.Context, string) (bool, error) { return true, nil }
	}
	return New(open, live, slog.New(slog.DiscardHandler), func() { changes.Add(1) }), &changes
}

func dial(t *testing.T, port int) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	return c.(*net.TCPConn)
}

func TestHalfCloseGetsTheWholeAnswer(t *testing.T) {
	p, _ := newPublisher(echoUpper, nil)
	defer p.CloseAll()
	rec, err := p.Publish("web", 8080, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, rec.HostPort)
	defer c.Close()
	_, _ = c.Write([]byte("hello"))
	_ = c.CloseWrite() // FIN after the request, like `nc -N`
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "8080:HELLO" {
		t.Fatalf("answer %q, %v", got, err)
	}
}

func TestConnectionCap(t *testing.T) {
	p, _ := newPublisher(hold, nil)
	p.MaxConns = 2
	defer p.CloseAll()
	rec, err := p.Publish("web", 80, 0)
	if err != nil {
		t.Fatal(err)
	}
	var held []*net.TCPConn
	for range 2 {
		held = append(held, dial(t, rec.HostPort))
	}
	deadline := time.Now().Add(5 * time.Second)
	for { // wait until both are admitted
		p.mu.Lock()
		n := p.nopen
		p.mu.Unlock()
		if n == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	over := dial(t, rec.HostPort)
	if _, err := over.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("the connection over the cap was not closed: %v", err)
	}
	held[0].Close()
	for { // a freed slot admits a new connection
		p.mu.Lock()
		n := p.nopen
		p.mu.Unlock()
		if n == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	again := dial(t, rec.HostPort)
	_ = again.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := again.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("a connection under the cap was closed: %v", err)
	}
	if MaxConnections != 256 {
		t.Fatalf("MaxConnections = %d, the documented cap is 256", MaxConnections)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isReset(err error) bool { return err != nil && strings.Contains(err.Error(), "reset") }

func TestPublishErrors(t *testing.T) {
	p, changes := newPublisher(echoUpper, nil)
	defer p.CloseAll()
	rec, err := p.Publish("web", 80, 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                string
		service             string
		guestPort, hostPort int
		want                error
	}{
		{"the same guest port twice", "web", 80, 0, protocol.ErrInvalidArgument},
		{"a taken host port", "api", 81, rec.HostPort, protocol.ErrPortInUse},
		{"a guest port out of range", "api", 0, 0, protocol.ErrInvalidArgument},
		{"no service", "", 81, 0, protocol.ErrInvalidArgument},
	}
	for _, tt := range tests {
		if _, err := p.Publish(tt.service, tt.guestPort, tt.hostPort); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if n := changes.Load(); n != 1 {
		t.Errorf("%d change notifications, want 1", n)
	}
	if got := p.Unpublish("web"); len(got) != 1 || got[0] != rec {
		t.Errorf("Unpublish = %v", got)
	}
	if got := p.Unpublish("web"); len(got) != 0 {
		t.Errorf("second Unpublish = %v", got)
	}
	if l := p.List(); len(l) != 0 {
		t.Errorf("List after Unpublish = %v", l)
	}
}

func TestEndedServicesAreUnpublished(t *testing.T) {
	var alive atomic.Bool
	alive.Store(true)
	p, _ := newPublisher(echoUpper, func(_ context.Context, s string) (bool, error) { return alive.Load(), nil })
	defer p.CloseAll()
	if _, err := p.Publish("web", 80, 0); err != nil {
		t.Fatal(err)
	}
	alive.Store(false)
	deadline := time.Now().Add(3 * WatchInterval)
	for len(p.List()) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the publication of an ended service was not closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
