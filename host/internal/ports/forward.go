package ports

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// drainGrace bounds the wait for the client's side once the guest's side of
// a forwarded connection has ended.
const drainGrace = 5 * time.Second

// accept serves one listener until it is closed.
func (p *Publisher) accept(pub *publication) {
	for {
		conn, err := pub.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // e.g. EMFILE: let it pass rather than spin
			continue
		}
		if !p.admit(pub, conn) {
			conn.Close() // over the cap, or the publication just closed
			continue
		}
		go p.forward(pub, conn)
	}
}

// admit counts conn against the cap; false when it must be refused.
func (p *Publisher) admit(pub *publication, conn net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.nopen >= p.MaxConns || !p.listed(pub) {
		return false
	}
	p.nopen++
	pub.conns[conn] = struct{}{}
	return true
}

func (p *Publisher) listed(pub *publication) bool {
	for _, x := range p.pubs {
		if x == pub {
			return true
		}
	}
	return false
}

// forward copies one connection both ways through a port stream. Either side
// may half-close: the client's FIN ends the request body (the agent then
// half-closes the guest connection, so a server that reads to EOF still
// answers); the end of the guest's answer becomes a FIN to the client.
func (p *Publisher) forward(pub *publication, conn net.Conn) {
	defer func() {
		conn.Close()
		p.mu.Lock()
		p.nopen--
		delete(pub.conns, conn)
		p.mu.Unlock()
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // resets the stream if the guest side is still open
	body := &clientSide{conn: conn, closed: make(chan struct{})}
	res, err := p.open(ctx, pub.rec.GuestPort, body)
	if err != nil {
		return
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return
	}
	if _, err := io.Copy(conn, res.Body); err != nil {
		return
	}
	if tc, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	select { // the client's side ends (or the stream gives it up) before the socket closes
	case <-body.closed:
	case <-time.After(drainGrace):
	}
}

// clientSide is the request body of a port stream: the client's bytes. The
// HTTP/2 transport closes it when the stream no longer needs it; that stops
// reading without closing the socket, whose write side may still be busy.
type clientSide struct {
	conn   net.Conn
	once   sync.Once
	closed chan struct{}
}

func (c *clientSide) Read(b []byte) (int, error) { return c.conn.Read(b) }

func (c *clientSide) Close() error {
	c.once.Do(func() {
		if tc, ok := c.conn.(interface{ CloseRead() error }); ok {
			_ = tc.CloseRead()
		}
		close(c.closed)
	})
	return nil
}
