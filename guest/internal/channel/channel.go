// Package channel finds the host link (a virtio-serial port, or an AF_VSOCK
// listener on Firecracker) and hands each host session to the HTTP/2 server.
package channel

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	PortName  = "org.pyro.agent" // virtserialport name=...
	VsockPort = 10240

	minBackoff = 10 * time.Millisecond
	maxBackoff = 250 * time.Millisecond
)

// ServeFunc serves one session and returns when it ends.
type ServeFunc func(net.Conn)

// Link is an open host link.
type Link interface {
	// Serve runs sessions one after another (or side by side for vsock)
	// and returns only if the link itself fails.
	Serve(serve ServeFunc) error
	String() string
}

// backoff doubles from minBackoff to maxBackoff.
type backoff struct{ d time.Duration }

func (b *backoff) next() time.Duration {
	switch {
	case b.d == 0:
		b.d = minBackoff
	case b.d < maxBackoff:
		b.d = min(2*b.d, maxBackoff)
	}
	return b.d
}

// findPort returns the /dev node of the virtio port called name by reading
// <classDir>/*/name: without udev there is no /dev/virtio-ports/<name>.
func findPort(classDir, devDir, name string) (string, bool) {
	entries, _ := os.ReadDir(classDir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(classDir, e.Name(), "name"))
		if err == nil && strings.TrimSpace(string(b)) == name {
			return filepath.Join(devDir, e.Name()), true
		}
	}
	return "", false
}

// waitFirstByte blocks until the host sends something. While no host is
// connected a virtio-serial read returns EOF at once, so EOF means "nobody
// there yet": sleep with backoff instead of spinning.
func waitFirstByte(r io.Reader, sleep func(time.Duration)) ([]byte, error) {
	buf := make([]byte, 4096)
	var b backoff
	for {
		n, err := r.Read(buf)
		if n > 0 {
			return buf[:n], nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		sleep(b.next())
	}
}

// serveSessions serves the shared port forever, one session at a time.
//
// A session must start with the first byte its host sent. One that ends
// while its host is still connected (a protocol error: e.g. a guest restored
// from a template, whose stale session reads a new host's preface as frames)
// leaves that host's later bytes in the port; taken for the next session's
// start they would make it fail too, and so on for ever. So such a session's
// leftovers are discarded until its host disconnects: the host gives up on a
// broken session and dials again, and that new session starts clean.
func serveSessions(f *os.File, serve ServeFunc, sleep func(time.Duration)) error {
	for {
		first, err := waitFirstByte(f, sleep)
		if err != nil {
			return err
		}
		c := &fileConn{f: f, prefix: first, shared: true}
		serve(c)
		_ = c.Close() // idempotent; makes sure the old session lets go of f
		if !c.sawHostLeave() {
			if err := drainUntilHostLeaves(f); err != nil {
				return err
			}
		}
	}
}

// drainUntilHostLeaves reads and drops what the host sends until a read
// finds no host (EOF).
func drainUntilHostLeaves(r io.Reader) error {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if n == 0 && (err == nil || errors.Is(err, io.EOF)) {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
}
