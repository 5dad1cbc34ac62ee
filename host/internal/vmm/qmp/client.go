// Package qmp is a small client of the QEMU Machine Protocol: JSON objects
// over a stream socket, a greeting, capability negotiation, then commands
// (matched to answers by id) interleaved with asynchronous events.
// Reference: QEMU's docs/interop/qmp-spec.rst.
package qmp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// ErrClosed is returned for commands on a connection that has ended (QEMU
// exited, or Close was called).
var ErrClosed = errors.New("qmp: connection closed")

// Error is a command's error answer.
type Error struct {
	Class string `json:"class"` // e.g. "GenericError", "CommandNotFound"
	Desc  string `json:"desc"`
}

func (e *Error) Error() string { return fmt.Sprintf("qmp: %s: %s", e.Class, e.Desc) }

// Event is an asynchronous notification, e.g. SHUTDOWN with
// data {"guest":true,"reason":"guest-reset"}.
type Event struct {
	Name string          `json:"event"`
	Data json.RawMessage `json:"data"`
}

// message is any object QEMU sends.
type message struct {
	Greeting json.RawMessage `json:"QMP"`
	Return   json.RawMessage `json:"return"`
	Error    *Error          `json:"error"`
	Event    string          `json:"event"`
	Data     json.RawMessage `json:"data"`
	ID       *uint64         `json:"id"`
}

type command struct {
	Execute   string  `json:"execute"`
	Arguments any     `json:"arguments,omitempty"`
	ID        *uint64 `json:"id,omitempty"`
}

// Client is one QMP session. Execute may be called from any goroutine.
type Client struct {
	conn    net.Conn
	onEvent func(Event)
	done    chan struct{}

	wmu sync.Mutex // serialises writes
	enc *json.Encoder

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan message
	err     error // set once the reader ends
}

// New runs the handshake on conn (greeting, then qmp_capabilities) and
// starts reading. onEvent, if not nil, is called for each event from the
// reader goroutine; it must not block. The handshake is bounded by ctx.
// Errors: the handshake's I/O or QMP error; conn is closed on failure.
func New(ctx context.Context, conn net.Conn, onEvent func(Event)) (*Client, error) {
	c := &Client{conn: conn, onEvent: onEvent, done: make(chan struct{}), enc: json.NewEncoder(conn), pending: map[uint64]chan message{}}
	dec := json.NewDecoder(conn)
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetReadDeadline(deadline)
	}
	var greeting message
	if err := dec.Decode(&greeting); err != nil || greeting.Greeting == nil {
		conn.Close()
		return nil, fmt.Errorf("qmp: no greeting: %w", errors.Join(err, errors.New("unexpected first message")))
	}
	_ = conn.SetReadDeadline(time.Time{})
	go c.read(dec)
	if err := c.Execute(ctx, "qmp_capabilities", nil, nil); err != nil {
		c.Close()
		return nil, fmt.Errorf("qmp: negotiate capabilities: %w", err)
	}
	return c, nil
}

// Dial connects to the QMP socket at path and runs the handshake.
func Dial(ctx context.Context, path string, onEvent func(Event)) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("qmp: dial %s: %w", path, err)
	}
	return New(ctx, conn, onEvent)
}

// Execute runs cmd with args (nil for none) and decodes its "return" value
// into out (nil to ignore it). Errors: *Error for a QMP error answer,
// ErrClosed when the connection ended, ctx's error.
func (c *Client) Execute(ctx context.Context, cmd string, args any, out any) error {
	ch := make(chan message, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()

	c.wmu.Lock()
	err := c.enc.Encode(command{Execute: cmd, Arguments: args, ID: &id})
	c.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("qmp: send %s: %w", cmd, errors.Join(ErrClosed, err))
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return m.Error
		}
		if out != nil && m.Return != nil {
			if err := json.Unmarshal(m.Return, out); err != nil {
				return fmt.Errorf("qmp: %s answer: %w", cmd, err)
			}
		}
		return nil
	case <-c.done:
		return fmt.Errorf("qmp: %s: %w", cmd, c.closedErr())
	case <-ctx.Done():
		return fmt.Errorf("qmp: %s: %w", cmd, ctx.Err())
	}
}

// read dispatches answers to waiting commands and events to onEvent until
// the connection ends.
func (c *Client) read(dec *json.Decoder) {
	var err error
	for {
		var m message
		if err = dec.Decode(&m); err != nil {
			break
		}
		switch {
		case m.Event != "":
			if c.onEvent != nil {
				c.onEvent(Event{Name: m.Event, Data: m.Data})
			}
		case m.ID != nil:
			c.mu.Lock()
			ch := c.pending[*m.ID]
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		}
	}
	c.mu.Lock()
	c.err = fmt.Errorf("%w (%w)", ErrClosed, err)
	c.mu.Unlock()
	close(c.done)
}

func (c *Client) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Close ends the session.
func (c *Client) Close() error { return c.conn.Close() }

// StatusInfo is the answer of query-status.
type StatusInfo struct {
	Status  string `json:"status"` // "running", "paused", "shutdown", "internal-error", ...
	Running bool   `json:"running"`
}

// QueryStatus runs query-status.
func (c *Client) QueryStatus(ctx context.Context) (StatusInfo, error) {
	var s StatusInfo
	err := c.Execute(ctx, "query-status", nil, &s)
	return s, err
}

// ShutdownData is the data of a SHUTDOWN event.
type ShutdownData struct {
	Guest  bool   `json:"guest"`
	Reason string `json:"reason"` // "guest-shutdown", "guest-reset", "host-qmp-quit", "host-signal", ...
}
