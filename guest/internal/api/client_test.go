package api

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/pyro-mcp/pyro/guest/internal/secrets"
	"github.com/pyro-mcp/pyro/guest/internal/services"
	"github.com/pyro-mcp/pyro/guest/internal/shells"
)

// newClient connects an HTTP/2 client to s through an in-memory pipe, the
// same prior-knowledge h2c the host speaks over the virtio-serial port.
func newClient(t *testing.T, s *Server) *http.Client {
	t.Helper()
	return newHandlerClient(t, s.Handler())
}

func newHandlerClient(t *testing.T, h http.Handler) *http.Client {
	t.Helper()
	h2 := &http2.Server{}
	opts := &http2.ServeConnOpts{Handler: h}
	tr := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(context.Context, string, string, *tls.Config) (net.Conn, error) {
			guest, host := net.Pipe()
			go h2.ServeConn(guest, opts)
			return host, nil
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// testServer has its own shell table and keeps service logs and secret
// files in temporary directories (no tmpfs mount), so tests run
// unprivileged and in parallel.
func testServer(t *testing.T) *Server {
	store := secrets.NewStore(t.TempDir(), nil)
	return &Server{
		BootMs:   1234,
		Kernel:   "6.1.0-test",
		Uptime:   func() time.Duration { return 5 * time.Second },
		Sync:     func() error { return nil },
		PowerOff: func() error { return nil },
		Shells:   shells.NewManager(store.Values),
		Services: services.NewManager(t.TempDir(), store.Values),
		Secrets:  store,
	}
}

// event is the union of all exec event fields, for reading NDJSON.
type event struct {
	Type       string `json:"type"`
	Pid        int    `json:"pid"`
	Data       string `json:"data"`
	DataB64    string `json:"data_b64"`
	ExitCode   int    `json:"exit_code"`
	Signal     string `json:"signal"`
	TimedOut   bool   `json:"timed_out"`
	DurationMs int64  `json:"duration_ms"`
}

type execOutcome struct {
	pid            int
	stdout, stderr string
	sawB64         bool // some chunk came as data_b64
	exit           event
	elapsed        time.Duration
}

func postExec(ctx context.Context, t *testing.T, c *http.Client, header string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://pyro/v1/exec", body)
	if err != nil {
		t.Fatal(err)
	}
	if header != "" {
		req.Header.Set(ExecHeader, header)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func specHeader(t *testing.T, r ExecRequest) string {
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readEvents collects an exec response, checking that exit comes last.
func readEvents(t *testing.T, resp *http.Response) execOutcome {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("content-type") != "application/x-ndjson" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d %q: %s", resp.StatusCode, resp.Header.Get("content-type"), b)
	}
	var out execOutcome
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if out.exit.Type != "" {
			t.Fatalf("event after exit: %s", sc.Text())
		}
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("bad event %q: %v", sc.Text(), err)
		}
		data := ev.Data
		if ev.DataB64 != "" {
			b, err := base64.StdEncoding.DecodeString(ev.DataB64)
			if err != nil {
				t.Fatal(err)
			}
			data = string(b)
			out.sawB64 = true
		}
		switch ev.Type {
		case "started":
			out.pid = ev.Pid
		case "stdout":
			out.stdout += data
		case "stderr":
			out.stderr += data
		case "exit":
			out.exit = ev
		default:
			t.Fatalf("unknown event %q", sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if out.exit.Type != "exit" {
		t.Fatal("no exit event")
	}
	return out
}
