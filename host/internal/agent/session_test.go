package agent

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// fakeAgent serves h on a Unix socket the way the guest agent does (h2c with
// prior knowledge) and returns a dialer for it.
func fakeAgent(t *testing.T, h http.Handler) (Dialer, *atomic.Int32) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: h, Protocols: &protocols}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	var dials atomic.Int32
	return func(ctx context.Context) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}, &dials
}

func info(version int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", 400)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"agent_version": "0.1.0", "protocol_version": version, "capabilities": []string{"exec"}, "boot_ms": 5})
	}
}

func TestInfo(t *testing.T) {
	tests := []struct {
		name     string
		version  int
		wantCode string
	}{
		{"same protocol", 1, ""},
		{"newer agent is refused naming both versions", 2, "guest_protocol_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dial, _ := fakeAgent(t, info(tt.version))
			s := New(dial)
			defer s.Close()
			got, err := s.Info(context.Background())
			if tt.wantCode == "" {
				if err != nil || got.AgentVersion != "0.1.0" {
					t.Fatalf("Info = %+v, %v", got, err)
				}
				return
			}
			var ce *protocol.CodedError
			if !errors.As(err, &ce) || ce.Code != tt.wantCode || !strings.Contains(ce.Message, "protocol 2, host expects 1") {
				t.Fatalf("err = %v, want %s", err, tt.wantCode)
			}
		})
	}
}

// The guest agent's own golden info answer decodes into Info.
func TestInfoMatchesTheAgentGolden(t *testing.T) {
	raw, err := os.ReadFile("../../../protocol/guest/info.json")
	if err != nil {
		t.Skipf("guest module not beside host: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	var i Info
	if err := dec.Decode(&i); err != nil || i.ProtocolVersion != ProtocolVersion {
		t.Fatalf("decode golden info: %+v, %v", i, err)
	}
}

func TestOneSessionSharedAndRedialledAfterABreak(t *testing.T) {
	dial, dials := fakeAgent(t, info(1))
	s := New(dial)
	defer s.Close()
	ctx := context.Background()
	for range 5 {
		if _, err := s.Info(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := dials.Load(); n != 1 {
		t.Fatalf("%d dials for 5 requests, want 1", n)
	}
	s.mu.Lock()
	s.cc.Close() // the channel broke
	s.mu.Unlock()
	if _, err := s.Info(ctx); err != nil {
		t.Fatal(err)
	}
	if n := dials.Load(); n != 2 {
		t.Fatalf("%d dials after a break, want 2", n)
	}
}

func TestStreamsBothWays(t *testing.T) {
	dial, _ := fakeAgent(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		buf := make([]byte, 64)
		for {
			n, err := r.Body.Read(buf)
			if n > 0 {
				_, _ = w.Write([]byte(strings.ToUpper(string(buf[:n]))))
				w.(http.Flusher).Flush()
			}
			if err != nil {
				return
			}
		}
	}))
	s := New(dial)
	defer s.Close()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://x/v1/ports/80/stream", pr)
	res, err := s.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	for _, word := range []string{"ping", "pong"} { // each answer arrives before the next write
		_, _ = pw.Write([]byte(word))
		n, err := io.ReadAtLeast(res.Body, buf, len(word))
		if err != nil || string(buf[:n]) != strings.ToUpper(word) {
			t.Fatalf("read %q, %v", buf[:n], err)
		}
	}
	pw.Close()
	if rest, _ := io.ReadAll(res.Body); len(rest) != 0 {
		t.Fatalf("trailing %q", rest)
	}
}

func TestUnreachable(t *testing.T) {
	s := New(func(ctx context.Context) (net.Conn, error) { return nil, errors.New("no socket") })
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := s.Info(ctx); !errors.Is(err, protocol.ErrGuestUnreachable) {
		t.Fatalf("err = %v, want ErrGuestUnreachable", err)
	}
	s.Close()
	if _, err := s.Info(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// A hostile agent: an oversized header block fails that request alone
// (guest_unreachable), and an endless JSON answer is cut at MaxJSONBytes.
func TestHostileAnswersAreBounded(t *testing.T) {
	dial, dials := fakeAgent(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/big-header":
			w.Header().Set("pyro-junk", strings.Repeat("h", 2*MaxResponseHeaderBytes))
			w.WriteHeader(200)
		case "/v1/endless":
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"agent_version":"`)
			chunk := strings.Repeat("a", 32<<10)
			for r.Context().Err() == nil {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		default:
			info(1)(w, r)
		}
	}))
	s := New(dial)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.JSON(ctx, "GET", "/v1/big-header", nil); !errors.Is(err, protocol.ErrGuestUnreachable) {
		t.Fatalf("oversized header: err = %v, want ErrGuestUnreachable", err)
	}
	var out Info
	if _, err := s.JSON(ctx, "GET", "/v1/endless", &out); !errors.Is(err, protocol.ErrGuestUnreachable) {
		t.Fatalf("endless JSON: err = %v, want ErrGuestUnreachable", err)
	}
	if _, err := s.Info(ctx); err != nil {
		t.Fatalf("the session must survive a bad answer: %v", err)
	}
	if n := dials.Load(); n > 2 {
		t.Fatalf("%d dials", n)
	}
}
