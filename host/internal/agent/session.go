// Package agent is the supervisor's client of the guest agent: HTTP/2
// without TLS (prior knowledge) over the one byte stream the VMM offers (the
// virtio-serial port's host socket under QEMU). One session carries every
// request for the VM's life; docs/agent-protocol.md is the contract.
package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// ProtocolVersion is the agent protocol this supervisor speaks.
const ProtocolVersion = 1

// authority is the :authority of every request (the agent ignores it).
const authority = "pyro-agent"

// MaxResponseHeaderBytes caps the header block of one agent answer (8 KiB,
// well under the 16 KiB Node's parser takes for the whole proxied answer).
// The agent's headers are a status, a content type and a few pyro-* values
// of a few dozen bytes; the cap is advertised to the agent
// (SETTINGS_MAX_HEADER_LIST_SIZE), and a larger block fails that one request
// with guest_unreachable instead of being held in memory and proxied on
// (Go's default is 10 MiB, and Node's HTTP parser refuses more than 16 KiB).
const MaxResponseHeaderBytes = 8 << 10

// MaxJSONBytes caps an agent JSON answer the supervisor decodes itself
// (info, poweroff, a service record): 1 MiB, a thousand times their size.
const MaxJSONBytes = 1 << 20

// ErrClosed: the session was closed by Close.
var ErrClosed = errors.New("agent session closed")

// Dialer opens the host end of the agent channel.
type Dialer func(ctx context.Context) (net.Conn, error)

// Session is the one HTTP/2 connection to the agent, shared by all callers.
// If the connection breaks while the VM lives (the agent reopens its port),
// the next request dials again.
type Session struct {
	tr *http.Transport

	mu     sync.Mutex
	cc     *http.ClientConn
	closed bool
}

// New returns a session that connects through dial on first use.
func New(dial Dialer) *Session {
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	return &Session{tr: &http.Transport{
		DialContext:        func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) },
		Protocols:          &protocols,
		DisableCompression: true, // bytes are proxied as they are
		// The agent is untrusted input: see MaxResponseHeaderBytes.
		MaxResponseHeaderBytes: MaxResponseHeaderBytes,
	}}
}

// conn returns the live connection, dialling a new one when there is none
// or the last one failed. Callers queue here while the first dial waits for
// the guest to open its port.
func (s *Session) conn(ctx context.Context) (*http.ClientConn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.cc != nil && s.cc.Err() == nil {
		return s.cc, nil
	}
	if s.cc != nil {
		s.cc.Close()
		s.cc = nil
	}
	cc, err := s.tr.NewClientConn(ctx, "http", authority+":80")
	if err != nil {
		return nil, err
	}
	s.cc = cc
	return cc, nil
}

// RoundTrip sends req (its URL path and query are used; scheme and host are
// set here) and returns the agent's response with its body streaming.
// Errors wrap protocol.ErrGuestUnreachable (the cause is kept too).
func (s *Session) RoundTrip(req *http.Request) (*http.Response, error) {
	cc, err := s.conn(req.Context())
	if err != nil {
		return nil, protocol.Errorf(protocol.ErrGuestUnreachable, "agent channel: %w", err)
	}
	req.URL.Scheme, req.URL.Host, req.Host = "http", authority, authority
	res, err := cc.RoundTrip(req)
	if err != nil {
		return nil, protocol.Errorf(protocol.ErrGuestUnreachable, "agent request %s %s: %w", req.Method, req.URL.Path, err)
	}
	return res, nil
}

// JSON sends a body-less request and decodes a 2xx JSON answer into out
// (nil to discard it). Returns the status; a non-2xx answer is not an error
// here, its body is discarded (at most MaxJSONBytes of it are read). An answer
// over MaxJSONBytes or not JSON is an error. Errors wrap
// protocol.ErrGuestUnreachable.
func (s *Session) JSON(ctx context.Context, method, path string, out any) (int, error) {
	return s.SendJSON(ctx, method, path, nil, out)
}

// SendJSON is JSON with in (nil: no body) sent as the JSON request body.
func (s *Session) SendJSON(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return 0, protocol.Errorf(protocol.ErrInvalidArgument, "%w", err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+authority+path, body)
	if err != nil {
		return 0, protocol.Errorf(protocol.ErrInvalidArgument, "%w", err)
	}
	if in != nil {
		req.Header.Set("content-type", "application/json")
	}
	res, err := s.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	answer := io.LimitReader(res.Body, MaxJSONBytes) // an endless answer must not hold us
	if res.StatusCode/100 != 2 || out == nil {
		_, _ = io.Copy(io.Discard, answer)
		return res.StatusCode, nil
	}
	if err := json.NewDecoder(answer).Decode(out); err != nil {
		return res.StatusCode, protocol.Errorf(protocol.ErrGuestUnreachable, "agent answer to %s: %w", path, err)
	}
	return res.StatusCode, nil
}

// Info is the answer of GET /v1/info.
type Info struct {
	AgentVersion    string   `json:"agent_version"`
	ProtocolVersion int      `json:"protocol_version"`
	Capabilities    []string `json:"capabilities"`
	BootMs          int64    `json:"boot_ms"` // guest uptime when the agent started, in ms
	Kernel          string   `json:"kernel"`
}

// Info waits for the agent to answer GET /v1/info (requests queue in the
// channel until the guest opens its port) and checks its protocol version.
// Errors: a *protocol.CodedError guest_protocol_mismatch, or errors wrapping
// protocol.ErrGuestUnreachable.
func (s *Session) Info(ctx context.Context) (Info, error) {
	var info Info
	status, err := s.JSON(ctx, http.MethodGet, "/v1/info", &info)
	if err != nil {
		return info, err
	}
	if status != http.StatusOK || info.AgentVersion == "" {
		return info, protocol.Errorf(protocol.ErrGuestUnreachable, "GET /v1/info answered %d without agent info", status)
	}
	if info.ProtocolVersion != ProtocolVersion {
		return info, protocol.Codef(protocol.CodeProtocolMismatch,
			"guest agent %s speaks protocol %d, host expects %d (rebuild the agent: npm run build:agent)",
			info.AgentVersion, info.ProtocolVersion, ProtocolVersion)
	}
	return info, nil
}

// Reset drops the current connection, so the next request dials a new one:
// a connection whose request went unanswered may be stuck on a broken
// session (a restored guest's agent drops its leftovers until the host
// redials).
func (s *Session) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cc != nil {
		s.cc.Close()
		s.cc = nil
	}
}

// Close ends the session; in-flight requests fail.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.cc != nil {
		s.cc.Close()
	}
}

// IdentityRequest is the body of POST /v1/identity (docs/agent-protocol.md):
// what makes a guest, and above all a clone of a template, its own.
type IdentityRequest struct {
	// WallClockNs is the host's Unix time in ns, taken just before sending.
	WallClockNs int64 `json:"wall_clock_ns"`
	// Entropy is host randomness (base64 in JSON) the guest mixes into its
	// RNG, crediting it, and then reseeds its CRNG from.
	Entropy   []byte           `json:"entropy"`
	Hostname  string           `json:"hostname"`
	MachineID string           `json:"machine_id"`
	Network   *IdentityNetwork `json:"network,omitempty"`
}

// IdentityNetwork is the guest NIC's own MAC and address: pyro.net's value
// (IP/PREFIX,GATEWAY[,DNS...]).
type IdentityNetwork struct {
	MAC    string `json:"mac"`
	Config string `json:"config"`
}

// Identity sends POST /v1/identity. Errors wrap protocol.ErrGuestUnreachable
// (also for a non-2xx answer).
func (s *Session) Identity(ctx context.Context, req IdentityRequest) error {
	status, err := s.SendJSON(ctx, http.MethodPost, "/v1/identity", req, nil)
	if err == nil && status != http.StatusOK {
		err = protocol.Errorf(protocol.ErrGuestUnreachable, "POST /v1/identity answered %d", status)
	}
	return err
}
