package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// fakeBackend records calls and answers from its fields.
type fakeBackend struct {
	state       protocol.State
	ready       bool
	proxyErr    error
	upstream    Upstream
	publishErr  error
	shutdowns   []protocol.ShutdownRequest
	saves       []string
	saveErr     error
	checkpoints []protocol.SaveRequest
	unpublish   []string
	ended       int
}

func (f *fakeBackend) Status() protocol.State { return f.state }
func (f *fakeBackend) Ready(context.Context) (protocol.State, bool) {
	return f.state, f.ready
}
func (f *fakeBackend) Shutdown(_ context.Context, req protocol.ShutdownRequest) protocol.State {
	f.shutdowns = append(f.shutdowns, req)
	s := f.state
	s.State = protocol.PhaseExited
	return s
}
func (f *fakeBackend) SaveAndStop(_ context.Context, req protocol.SaveRequest) (protocol.State, error) {
	f.saves = append(f.saves, req.Path)
	s := f.state
	s.State = protocol.PhaseExited
	return s, f.saveErr
}
func (f *fakeBackend) Checkpoint(_ context.Context, req protocol.SaveRequest) (protocol.State, error) {
	f.checkpoints = append(f.checkpoints, req)
	return f.state, f.saveErr
}
func (f *fakeBackend) PublishedPorts() []protocol.PublishedPort {
	return []protocol.PublishedPort{{Service: "web", Host: "127.0.0.1", HostPort: 4000, GuestPort: 80}}
}
func (f *fakeBackend) Publish(req protocol.PublishRequest) (protocol.PublishedPort, error) {
	if f.publishErr != nil {
		return protocol.PublishedPort{}, f.publishErr
	}
	return protocol.PublishedPort{Service: req.Service, Host: "127.0.0.1", HostPort: 4001, GuestPort: req.GuestPort}, nil
}
func (f *fakeBackend) Unpublish(service string) []protocol.PublishedPort {
	f.unpublish = append(f.unpublish, service)
	return nil
}
func (f *fakeBackend) BeginProxy() (Upstream, func(), error) {
	if f.proxyErr != nil {
		return nil, nil, f.proxyErr
	}
	return f.upstream, func() { f.ended++ }, nil
}
func (f *fakeBackend) Unreachable(cause error) error {
	return protocol.Errorf(protocol.ErrGuestUnreachable, "the VM's VMM was killed by SIGKILL (%v)", cause)
}

// upstreamFunc adapts a func to Upstream.
type upstreamFunc func(*http.Request) (*http.Response, error)

func (f upstreamFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func do(t *testing.T, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func errorCodeOf(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var e protocol.ErrorResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body %q: %v", rec.Body.String(), err)
	}
	return e.Error.Code
}

func TestRoutes(t *testing.T) {
	ready := protocol.State{VMID: "vm_1", State: protocol.PhaseReady}
	failed := protocol.State{VMID: "vm_1", State: protocol.PhaseFailed, Error: &protocol.ErrorBody{Code: "boot_failed", Message: "no agent"}}
	tests := []struct {
		name       string
		backend    fakeBackend
		method     string
		path, body string
		wantStatus int
		wantCode   string // error code, or "" for a 2xx
		wantBody   string // substring of the answer
	}{
		{name: "status", backend: fakeBackend{state: ready}, method: "GET", path: "/v1/status", wantStatus: 200, wantBody: `"state":"ready"`},
		{name: "ready", backend: fakeBackend{state: ready, ready: true}, method: "GET", path: "/v1/ready", wantStatus: 200, wantBody: `"vm_id":"vm_1"`},
		{name: "ready after a failed boot is 503 with the boot error", backend: fakeBackend{state: failed}, method: "GET", path: "/v1/ready", wantStatus: 503, wantCode: "boot_failed", wantBody: `"state":{"vm_id":"vm_1"`},
		{name: "ready while stopping", backend: fakeBackend{state: protocol.State{State: protocol.PhaseStopping}}, method: "GET", path: "/v1/ready", wantStatus: 503, wantCode: "vm_not_running", wantBody: "VM is stopping"},
		{name: "shutdown answers the final state", backend: fakeBackend{state: ready}, method: "POST", path: "/v1/shutdown", body: `{"mode":"poweroff","timeout_ms":500}`, wantStatus: 200, wantBody: `"state":"exited"`},
		{name: "shutdown with a bad body", backend: fakeBackend{state: ready}, method: "POST", path: "/v1/shutdown", body: `{"mode":`, wantStatus: 400, wantCode: "invalid_argument"},
		{name: "ports list", method: "GET", path: "/v1/ports", wantStatus: 200, wantBody: `{"published_ports":[{"service":"web","host":"127.0.0.1","host_port":4000,"guest_port":80}]}`},
		{name: "publish", backend: fakeBackend{state: ready}, method: "POST", path: "/v1/ports", body: `{"service":"api","guest_port":81,"host_port":0}`, wantStatus: 200, wantBody: `"host_port":4001`},
		{name: "publish on a stopped VM", backend: fakeBackend{publishErr: protocol.Errorf(protocol.ErrVMNotRunning, "VM is exited")}, method: "POST", path: "/v1/ports", body: `{}`, wantStatus: 409, wantCode: "vm_not_running"},
		{name: "publish a taken port", backend: fakeBackend{publishErr: protocol.Errorf(protocol.ErrPortInUse, "host port 127.0.0.1:22 is not available")}, method: "POST", path: "/v1/ports", body: `{}`, wantStatus: 409, wantCode: "port_in_use"},
		{name: "unpublish decodes the service name", method: "DELETE", path: "/v1/ports/my%20web", wantStatus: 200, wantBody: `{"closed":[]}`},
		{name: "agent route on a booting VM", backend: fakeBackend{proxyErr: protocol.Errorf(protocol.ErrVMNotRunning, `VM "vm_1" is booting`)}, method: "POST", path: "/v1/agent/exec", wantStatus: 409, wantCode: "vm_not_running", wantBody: `VM \"vm_1\" is booting`},
		{name: "unknown route", method: "GET", path: "/v1/nope", wantStatus: 404, wantCode: "no_route"},
		{name: "wrong method", method: "PUT", path: "/v1/status", wantStatus: 404, wantCode: "no_route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.backend
			rec := do(t, New(&b, nil), tt.method, tt.path, tt.body)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body.String())
			}
			if tt.wantCode != "" {
				if got := errorCodeOf(t, rec); got != tt.wantCode {
					t.Errorf("code %q, want %q", got, tt.wantCode)
				}
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("body %s lacks %s", rec.Body.String(), tt.wantBody)
			}
			if ct := rec.Header().Get("content-type"); ct != "application/json" {
				t.Errorf("content-type %q", ct)
			}
		})
	}
}

func TestShutdownModes(t *testing.T) {
	b := &fakeBackend{}
	h := New(b, nil)
	do(t, h, "POST", "/v1/shutdown", `{"mode":"kill"}`)
	do(t, h, "POST", "/v1/shutdown", "")
	if len(b.shutdowns) != 2 || b.shutdowns[0].Mode != "kill" || b.shutdowns[1].Mode != "" || b.shutdowns[0].TimeoutMs != nil {
		t.Fatalf("shutdowns %+v", b.shutdowns)
	}
}

func TestSaveKeepRunningIsACheckpoint(t *testing.T) {
	b := &fakeBackend{state: protocol.State{State: protocol.PhaseReady}}
	h := New(b, nil)
	rec := do(t, h, "POST", "/v1/save", `{"path":"/s","keep_running":true,"disk_copies":["/d"]}`)
	if rec.Code != 200 || len(b.saves) != 0 || len(b.checkpoints) != 1 || b.checkpoints[0].DiskCopies[0] != "/d" {
		t.Fatalf("answered %d, saves %v, checkpoints %+v", rec.Code, b.saves, b.checkpoints)
	}
	rec = do(t, h, "POST", "/v1/save", `{"path":"/s","disk_copies":["/d"]}`)
	if rec.Code != 400 || errorCodeOf(t, rec) != "invalid_argument" || len(b.saves) != 0 {
		t.Fatalf("copies without keep_running answered %d, saves %v", rec.Code, b.saves)
	}
}

func TestErrorStatus(t *testing.T) {
	tests := []struct {
		err        error
		wantStatus int
		wantCode   string
	}{
		{protocol.Errorf(protocol.ErrVMNotRunning, "x"), 409, "vm_not_running"},
		{protocol.Errorf(protocol.ErrGuestUnreachable, "x"), 502, "guest_unreachable"},
		{protocol.Errorf(protocol.ErrPortInUse, "x"), 409, "port_in_use"},
		{protocol.Errorf(protocol.ErrInvalidArgument, "x"), 400, "invalid_argument"},
		{protocol.Errorf(protocol.ErrNoRoute, "x"), 404, "no_route"},
		{fmt.Errorf("wrapped: %w", protocol.ErrGuestUnreachable), 502, "guest_unreachable"},
		{protocol.Codef("vmm_unavailable", "no firecracker"), 500, "vmm_unavailable"},
		{errors.New("boom"), 500, "internal"},
	}
	for _, tt := range tests {
		status, code := errorStatus(tt.err)
		if status != tt.wantStatus || code != tt.wantCode {
			t.Errorf("%v: %d %s, want %d %s", tt.err, status, code, tt.wantStatus, tt.wantCode)
		}
	}
	if _, body := errorBody(protocol.Errorf(protocol.ErrPortInUse, "host port 1 is taken")); body.Error.Message != "host port 1 is taken" {
		t.Errorf("message %q carries more than the text", body.Error.Message)
	}
}

func TestProxyForwardsAndStreams(t *testing.T) {
	var seen *http.Request
	b := &fakeBackend{upstream: upstreamFunc(func(r *http.Request) (*http.Response, error) {
		seen = r
		h := http.Header{"Content-Type": {"application/octet-stream"}, "Pyro-Size": {"5"}, "Set-Cookie": {"no"}}
		return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader("hello"))}, nil
	})}
	req := httptest.NewRequest("GET", "/v1/agent/files/read?root=%2Fworkspace&path=a%20b", nil)
	req.Header.Set("pyro-exec", `{"argv":["true"]}`)
	req.Header.Set("authorization", "secret")
	rec := httptest.NewRecorder()
	New(b, nil).ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "hello" || rec.Header().Get("pyro-size") != "5" || rec.Header().Get("set-cookie") != "" {
		t.Fatalf("answer %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
	if got := seen.URL.RequestURI(); got != "/v1/files/read?root=%2Fworkspace&path=a%20b" {
		t.Errorf("upstream path %q", got)
	}
	if seen.Header.Get("pyro-exec") == "" || seen.Header.Get("authorization") != "" {
		t.Errorf("upstream headers %v", seen.Header)
	}
	if seen.Body != nil {
		t.Errorf("a body-less GET got a body")
	}
	if b.ended != 1 {
		t.Errorf("end called %d times", b.ended)
	}
}

// brokenBody yields some bytes, then fails like a channel whose VMM died.
type brokenBody struct{ sent bool }

func (b *brokenBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, `{"type":"started","pid":7}`+"\n"), nil
	}
	return 0, errors.New("http2: client connection lost")
}
func (b *brokenBody) Close() error { return nil }

func TestProxyFailures(t *testing.T) {
	tests := []struct {
		name        string
		upstream    upstreamFunc
		wantStatus  int
		wantCode    string
		wantTrailer bool
		wantAbort   bool
	}{
		{"the agent cannot be reached", func(*http.Request) (*http.Response, error) {
			return nil, errors.New("connection refused")
		}, 502, "guest_unreachable", false, false},
		{"an exec stream breaks: clean end with an error trailer", func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-ndjson"}}, Body: &brokenBody{}}, nil
		}, 200, "", true, false},
		{"a byte stream breaks: the answer is cut", func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-tar"}}, Body: &brokenBody{}}, nil
		}, 200, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &fakeBackend{upstream: tt.upstream}
			rec := httptest.NewRecorder()
			aborted := func() (aborted bool) {
				defer func() { aborted = recover() == http.ErrAbortHandler }()
				New(b, nil).ServeHTTP(rec, httptest.NewRequest("POST", "/v1/agent/exec", strings.NewReader("")))
				return false
			}()
			if aborted != tt.wantAbort {
				t.Fatalf("aborted = %v", aborted)
			}
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d", rec.Code)
			}
			if tt.wantCode != "" && errorCodeOf(t, rec) != tt.wantCode {
				t.Errorf("code %s", errorCodeOf(t, rec))
			}
			trailer := rec.Result().Trailer.Get(ErrorTrailer)
			if tt.wantTrailer {
				var e protocol.ErrorBody
				if err := json.Unmarshal([]byte(trailer), &e); err != nil || e.Code != "guest_unreachable" || !strings.Contains(e.Message, "SIGKILL") {
					t.Errorf("trailer %q", trailer)
				}
			} else if trailer != "" {
				t.Errorf("unexpected trailer %q", trailer)
			}
			if b.ended != 1 {
				t.Errorf("end called %d times", b.ended)
			}
		})
	}
}

// The error answers match the golden files core's client is tested against.
func TestErrorBodiesMatchGolden(t *testing.T) {
	tests := []struct {
		file string
		err  error
	}{
		{"error_vm_not_running.json", protocol.Errorf(protocol.ErrVMNotRunning, `VM "ws_0123456789ab" is booting`)},
		{"error_port_in_use.json", protocol.Errorf(protocol.ErrPortInUse, "host port 127.0.0.1:8080 is not available (address already in use)")},
		{"error_no_route.json", protocol.Errorf(protocol.ErrNoRoute, "no route GET /v1/templates")},
		{"error_guest_unreachable.json", protocol.Errorf(protocol.ErrGuestUnreachable, `VM "ws_0123456789ab" stopped answering: its VMM was killed by SIGKILL (vmm_crashed)`)},
	}
	for _, tt := range tests {
		raw, err := os.ReadFile("../../../protocol/supervisor/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		_, body := errorBody(tt.err)
		got, _ := json.Marshal(body)
		var want, have any
		_ = json.Unmarshal(raw, &want)
		_ = json.Unmarshal(got, &have)
		if !reflect.DeepEqual(want, have) {
			t.Errorf("%s: got %s", tt.file, got)
		}
	}
}

// TestErrorCodesGolden keeps protocol/supervisor/error_codes.json (read by
// the host's TypeScript tests against its code table) equal to the codes
// this API answers with: sentinelCodes, then protocol.CodedErrorCodes.
func TestErrorCodesGolden(t *testing.T) {
	raw, err := os.ReadFile("../../../protocol/supervisor/error_codes.json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Codes []struct {
			Code   string `json:"code"`
			Status int    `json:"status"`
		} `json:"codes"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, row := range sentinelCodes {
		want = append(want, fmt.Sprintf("%s %d", row.code, row.status))
	}
	for _, code := range protocol.CodedErrorCodes {
		status, got := errorStatus(protocol.Codef(code, "x"))
		want = append(want, fmt.Sprintf("%s %d", got, status))
	}
	var got []string
	for _, c := range list.Codes {
		got = append(got, fmt.Sprintf("%s %d", c.Code, c.Status))
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("error_codes.json lists\n  %s\nthe supervisor answers\n  %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
}
