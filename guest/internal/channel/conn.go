package channel

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// fileConn is a net.Conn over a file descriptor. Deadlines set by the HTTP/2
// server are ignored: the host link has no timeouts of its own.
//
// A shared fileConn (the virtio-serial port) must not close the fd, which
// serves the next session too. Its Close instead interrupts reads and
// writes still in flight and waits for them, so no byte of an old session
// is read from or written into the next one.
type fileConn struct {
	f      *os.File
	prefix []byte // bytes read before the session started
	shared bool

	mu       sync.Mutex
	closed   bool
	hostLeft bool // a read saw EOF: the host disconnected
	inflight sync.WaitGroup
}

func (c *fileConn) enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.inflight.Add(1)
	return true
}

func (c *fileConn) Read(p []byte) (int, error) {
	if !c.enter() {
		return 0, net.ErrClosed
	}
	defer c.inflight.Done()
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	n, err := c.f.Read(p)
	if n == 0 && (err == nil || errors.Is(err, io.EOF)) {
		c.mu.Lock()
		c.hostLeft = true
		c.mu.Unlock()
	}
	return n, err
}

// sawHostLeave reports whether the session ended because the host left.
func (c *fileConn) sawHostLeave() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hostLeft
}

func (c *fileConn) Write(p []byte) (int, error) {
	if !c.enter() {
		return 0, net.ErrClosed
	}
	defer c.inflight.Done()
	return c.f.Write(p)
}

func (c *fileConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	if !c.shared {
		return c.f.Close()
	}
	if err := c.f.SetDeadline(time.Now()); err != nil {
		// Not pollable, so a blocked read cannot be interrupted: waiting
		// for it could hang the agent for good, which is worse.
		return nil
	}
	c.inflight.Wait()
	return c.f.SetDeadline(time.Time{})
}

type linkAddr string

func (a linkAddr) Network() string { return string(a) }
func (a linkAddr) String() string  { return string(a) }

func (c *fileConn) LocalAddr() net.Addr              { return linkAddr("guest") }
func (c *fileConn) RemoteAddr() net.Addr             { return linkAddr("host") }
func (c *fileConn) SetDeadline(time.Time) error      { return nil }
func (c *fileConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fileConn) SetWriteDeadline(time.Time) error { return nil }
