// Package ports publishes guest ports on the host: a TCP listener on
// 127.0.0.1 per published service port, each accepted connection forwarded
// through the agent's port stream (POST /v1/ports/{port}/stream,
// docs/agent-protocol.md) to the guest's 127.0.0.1. It rides the agent
// channel, so it works without a TAP device. A publication lives as long as
// its service runs: the service's stop closes it, and a once-a-second check
// closes those whose service ended by itself.
package ports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// MaxConnections is how many forwarded connections may be open at once per
// VM. Each holds one HTTP/2 stream on the agent channel; past this, new ones
// are closed at once, so idle clients of a published port can never starve
// exec, files and shells of streams (the agent allows 1024).
const MaxConnections = 256

// WatchInterval is how often services with publications are checked.
const WatchInterval = time.Second

// Opener opens a port stream to guestPort: body is copied to the guest
// connection (its end half-closes it), the response body carries the
// guest's bytes. A non-200 answer means the guest refused the connection.
type Opener func(ctx context.Context, guestPort int, body io.ReadCloser) (*http.Response, error)

// LiveCheck reports whether service still runs in the guest; an error means
// "cannot tell" and keeps its publications.
type LiveCheck func(ctx context.Context, service string) (bool, error)

// Publisher owns every publication of one VM. Safe for concurrent use.
type Publisher struct {
	open    Opener
	live    LiveCheck
	log     *slog.Logger
	changed func()
	// MaxConns caps open forwarded connections (MaxConnections by default).
	MaxConns int

	mu       sync.Mutex
	pubs     []*publication
	nopen    int
	watching bool
}

type publication struct {
	rec   protocol.PublishedPort
	ln    net.Listener
	conns map[net.Conn]struct{}
}

// New returns a publisher. changed is called after publications change.
func New(open Opener, live LiveCheck, log *slog.Logger, changed func()) *Publisher {
	return &Publisher{open: open, live: live, log: log, changed: changed, MaxConns: MaxConnections}
}

// List returns the publications in the order they were made.
func (p *Publisher) List() []protocol.PublishedPort {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]protocol.PublishedPort, 0, len(p.pubs))
	for _, pub := range p.pubs {
		out = append(out, pub.rec)
	}
	return out
}

// Publish binds 127.0.0.1:hostPort (0 = a free port) and forwards it to
// guestPort. Errors wrap protocol.ErrPortInUse (the host port is taken or
// not allowed) or protocol.ErrInvalidArgument (bad ports, or that guest port
// of service is already published).
func (p *Publisher) Publish(service string, guestPort, hostPort int) (protocol.PublishedPort, error) {
	if service == "" || guestPort < 1 || guestPort > 65535 || hostPort < 0 || hostPort > 65535 {
		return protocol.PublishedPort{}, protocol.Errorf(protocol.ErrInvalidArgument, "publish needs a service, guest_port 1-65535 and host_port 0-65535")
	}
	p.mu.Lock()
	for _, pub := range p.pubs {
		if pub.rec.Service == service && pub.rec.GuestPort == guestPort {
			p.mu.Unlock()
			return protocol.PublishedPort{}, protocol.Errorf(protocol.ErrInvalidArgument, "guest port %d of %q is already published", guestPort, service)
		}
	}
	p.mu.Unlock()
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", hostPort))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EACCES) {
			return protocol.PublishedPort{}, protocol.Errorf(protocol.ErrPortInUse, "host port 127.0.0.1:%d is not available (%w)", hostPort, unwrapSyscall(err))
		}
		return protocol.PublishedPort{}, fmt.Errorf("listen on 127.0.0.1:%d: %w", hostPort, err)
	}
	pub := &publication{
		rec:   protocol.PublishedPort{Service: service, Host: "127.0.0.1", HostPort: ln.Addr().(*net.TCPAddr).Port, GuestPort: guestPort},
		ln:    ln,
		conns: map[net.Conn]struct{}{},
	}
	p.mu.Lock()
	p.pubs = append(p.pubs, pub)
	startWatch := !p.watching
	p.watching = true
	p.mu.Unlock()
	go p.accept(pub)
	if startWatch {
		go p.watch()
	}
	p.log.Info("port_published", "service", service, "host_port", pub.rec.HostPort, "guest_port", guestPort)
	p.changed()
	return pub.rec, nil
}

// Unpublish closes every publication of service and its open connections,
// and returns what it closed (none is fine).
func (p *Publisher) Unpublish(service string) []protocol.PublishedPort {
	p.mu.Lock()
	var gone []*publication
	kept := p.pubs[:0]
	for _, pub := range p.pubs {
		if pub.rec.Service == service {
			gone = append(gone, pub)
		} else {
			kept = append(kept, pub)
		}
	}
	p.pubs = kept
	for _, pub := range gone {
		pub.ln.Close()
		for c := range pub.conns {
			c.Close()
		}
	}
	p.mu.Unlock()
	out := make([]protocol.PublishedPort, 0, len(gone))
	for _, pub := range gone {
		p.log.Info("port_closed", "service", service, "host_port", pub.rec.HostPort, "guest_port", pub.rec.GuestPort)
		out = append(out, pub.rec)
	}
	if len(gone) > 0 {
		p.changed()
	}
	return out
}

// CloseAll closes every publication (the VM is ending).
func (p *Publisher) CloseAll() {
	for _, s := range p.services() {
		p.Unpublish(s)
	}
}

// services returns the distinct services with publications.
func (p *Publisher) services() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, pub := range p.pubs {
		if !seen[pub.rec.Service] {
			seen[pub.rec.Service] = true
			out = append(out, pub.rec.Service)
		}
	}
	return out
}

// watch closes publications whose service is no longer live, once per
// WatchInterval, until there are none left.
func (p *Publisher) watch() {
	t := time.NewTicker(WatchInterval)
	defer t.Stop()
	for range t.C {
		services := p.services()
		if len(services) == 0 {
			p.mu.Lock()
			if len(p.pubs) == 0 {
				p.watching = false
				p.mu.Unlock()
				return
			}
			p.mu.Unlock()
			continue
		}
		for _, s := range services {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			live, err := p.live(ctx, s)
			cancel()
			if err == nil && !live {
				p.Unpublish(s)
			}
		}
	}
}

// unwrapSyscall reduces a listen error to its errno ("address already in
// use") when there is one, for a short message.
func unwrapSyscall(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}
