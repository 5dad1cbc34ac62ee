// Package ports connects a host stream to a TCP server inside the guest,
// so a published port reaches a server listening on the guest's loopback
// without the guest needing a route to the host.
package ports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// DialTimeout bounds the connect to the guest server.
const DialTimeout = 5 * time.Second

const readSize = 32 << 10

var (
	ErrInvalid = errors.New("invalid argument")
	ErrRefused = errors.New("connection refused")
)

// Dial connects to 127.0.0.1:port. Any failure (refused, timed out) wraps
// ErrRefused: for the host all mean that nothing answers on the port.
func Dial(ctx context.Context, port int) (*net.TCPConn, error) {
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("%w: port %d outside 1..65535", ErrInvalid, port)
	}
	d := net.Dialer{Timeout: DialTimeout}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return c.(*net.TCPConn), nil
}

// Splice copies in to conn and conn to out until the server closes its
// side (then it returns nil) or ctx ends (then conn is closed and it
// returns ctx.Err()). The end of in is passed on as a half-close, so a
// server that reads to EOF still answers. out is called once per read;
// an error from it ends the splice. Splice closes conn.
func Splice(ctx context.Context, conn *net.TCPConn, in io.Reader, out func([]byte) error) error {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	go func() {
		_, _ = io.Copy(conn, in) // fails once conn is closed: the end anyway
		_ = conn.CloseWrite()    // no more input, in any case
	}()
	buf := make([]byte, readSize)
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if werr := out(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read from port: %w", err)
		}
	}
}
