package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/files"
	"github.com/pyro-mcp/pyro/guest/internal/ports"
	"github.com/pyro-mcp/pyro/guest/internal/secrets"
	"github.com/pyro-mcp/pyro/guest/internal/services"
	"github.com/pyro-mcp/pyro/guest/internal/shells"
)

func TestRoutes(t *testing.T) {
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantBody           string
	}{
		{"info", "GET", "/v1/info", 200,
			`{"agent_version":"0.1.0","protocol_version":1,"capabilities":["exec","files","limits","network","ports","poweroff","secrets","services","shells","sync"],"boot_ms":1234,"kernel":"6.1.0-test"}`},
		{"health", "GET", "/v1/health", 200, `{"ok":true,"uptime_ms":5000}`},
		{"sync", "POST", "/v1/sync", 200, `{"ok":true}`},
		{"unknown path", "GET", "/v1/nope", 404,
			`{"error":{"code":"no_route","message":"no route GET /v1/nope"}}`},
		{"wrong method", "GET", "/v1/exec", 404,
			`{"error":{"code":"no_route","message":"no route GET /v1/exec"}}`},
		{"pattern needs a segment", "GET", "/v1/shells//output", 404,
			`{"error":{"code":"no_route","message":"no route GET /v1/shells//output"}}`},
		{"pattern too deep", "GET", "/v1/services/web/logs/x", 404,
			`{"error":{"code":"no_route","message":"no route GET /v1/services/web/logs/x"}}`},
		{"unknown shell", "GET", "/v1/shells/sh_00000000", 404,
			`{"error":{"code":"not_found","message":"shell not found: \"sh_00000000\""}}`},
		{"unknown service", "POST", "/v1/services/web/stop", 404,
			`{"error":{"code":"not_found","message":"service not found: \"web\""}}`},
		{"empty shell list", "GET", "/v1/shells", 200, `{"shells":[]}`},
		{"empty service list", "GET", "/v1/services", 200, `{"services":[]}`},
	}
	c := newClient(t, testServer(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, c, tt.method, tt.path)
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("got %d %s, want %d %s", status, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		err        error
		wantStatus int
		wantCode   string
	}{
		{invalidf("x"), 400, "invalid_argument"},
		{fmt.Errorf("%w GET /v1/x", ErrNoRoute), 404, "no_route"},
		{fmt.Errorf("entry: %w", files.ErrOutside), 400, "path_outside_workspace"},
		{fmt.Errorf("x: %w", files.ErrInvalid), 400, "invalid_argument"},
		{fmt.Errorf("x: %w", files.ErrNotFound), 404, "not_found"},
		{fmt.Errorf("x: %w", shells.ErrNotRunning), 409, "shell_not_running"},
		{fmt.Errorf("x: %w", shells.ErrInvalid), 400, "invalid_argument"},
		{fmt.Errorf("x: %w", shells.ErrNotFound), 404, "not_found"},
		{fmt.Errorf("x: %w", services.ErrExists), 409, "service_exists"},
		{fmt.Errorf("x: %w", services.ErrInvalid), 400, "invalid_argument"},
		{fmt.Errorf("x: %w", services.ErrNotFound), 404, "not_found"},
		{&secrets.NotFoundError{Name: "X"}, 400, "secret_not_found"},
		{fmt.Errorf("x: %w", secrets.ErrInvalid), 400, "invalid_argument"},
		{fmt.Errorf("x: %w", ports.ErrRefused), 502, "connection_refused"},
		{fmt.Errorf("x: %w", ports.ErrInvalid), 400, "invalid_argument"},
		{errors.New("disk on fire"), 500, "internal"},
	}
	for _, tt := range tests {
		status, code := errorCode(tt.err)
		if status != tt.wantStatus || code != tt.wantCode {
			t.Errorf("%v: got %d %s, want %d %s", tt.err, status, code, tt.wantStatus, tt.wantCode)
		}
	}
}

func TestSyncFailureIsInternal(t *testing.T) {
	s := testServer(t)
	s.Sync = func() error { return errors.New("EIO") }
	status, body := do(t, newClient(t, s), "POST", "/v1/sync")
	if want := `{"error":{"code":"internal","message":"sync: EIO"}}`; status != 500 || body != want {
		t.Errorf("got %d %s, want 500 %s", status, body, want)
	}
}

func TestPanicIsRecovered(t *testing.T) {
	s := testServer(t)
	s.Sync = func() error { panic("boom") }
	c := newClient(t, s)
	status, body := do(t, c, "POST", "/v1/sync")
	if status != 500 || !strings.Contains(body, `"code":"internal"`) {
		t.Errorf("got %d %s, want a 500 internal error", status, body)
	}
	if status, _ := do(t, c, "GET", "/v1/health"); status != 200 {
		t.Errorf("server unusable after a panic: health %d", status)
	}
}

// TestErrorAfterStartResets: once a body has started, a handler error must
// reach the host as a broken stream, never as a short but clean body.
func TestErrorAfterStartResets(t *testing.T) {
	var logged []string
	s := testServer(t)
	s.Logf = func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }
	c := newHandlerClient(t, s.route(map[string]handlerFunc{
		"GET /v1/partial": func(w http.ResponseWriter, _ *http.Request) error {
			_, _ = w.Write([]byte("partial"))
			http.NewResponseController(w).Flush()
			return errors.New("disk gone")
		},
	}))
	resp, err := c.Get("http://pyro/v1/partial")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err == nil {
		t.Errorf("body %q read cleanly, want a stream error", b)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "disk gone") {
		t.Errorf("logged %q", logged)
	}
}

func TestPoweroffRespondsFirst(t *testing.T) {
	s := testServer(t)
	called := make(chan struct{})
	s.PowerOff = func() error { close(called); return nil }
	status, body := do(t, newClient(t, s), "POST", "/v1/poweroff")
	if status != 200 || body != `{"ok":true}` {
		t.Fatalf("got %d %s", status, body)
	}
	select {
	case <-called:
	case <-time.After(2 * time.Second):
		t.Fatal("PowerOff not called")
	}
}

func do(t *testing.T, c *http.Client, method, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://pyro"+path, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Errorf("body is not JSON: %q", b)
	}
	return resp.StatusCode, strings.TrimSpace(string(b))
}
