package api

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/procgroup"
	"github.com/pyro-mcp/pyro/guest/internal/services"
)

func startService(t *testing.T, c *http.Client, req ServiceStartRequest) ServiceRecord {
	t.Helper()
	var rec ServiceRecord
	callOK(t, c, "POST", "/v1/services", req, &rec)
	t.Cleanup(func() { send(t, c, "POST", "/v1/services/"+req.Name+"/stop", `{"grace_ms":0}`) })
	return rec
}

func probe(kind, target string) *ServiceReadiness {
	return &ServiceReadiness{Type: kind, Target: target, TimeoutMs: 10000, IntervalMs: 50}
}

func TestServiceReadiness(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tcpAddr, httpAddr := freeAddr(t), freeAddr(t)
	tests := []struct {
		name      string
		argv      []string
		env       map[string]string
		readiness *ServiceReadiness
	}{
		{"none", []string{"sleep", "100"}, nil, nil},
		{"file", []string{"sh", "-c", "sleep 0.2; touch ready; exec sleep 100"}, nil, probe("file", "ready")},
		{"tcp", []string{self}, map[string]string{"PYRO_TEST_HELPER": "tcp", "PYRO_TEST_ADDR": tcpAddr},
			probe("tcp", tcpAddr)},
		{"http", []string{self}, map[string]string{"PYRO_TEST_HELPER": "http", "PYRO_TEST_ADDR": httpAddr},
			probe("http", "http://"+httpAddr+"/")},
		{"command", []string{"sh", "-c", "sleep 0.2; touch ok; exec sleep 100"}, nil, probe("command", "test -f ok")},
	}
	c := newClient(t, testServer(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cwd := t.TempDir()
			rec := startService(t, c, ServiceStartRequest{
				Name: tt.name, Argv: tt.argv, Cwd: cwd, Env: tt.env, Readiness: tt.readiness,
			})
			if rec.State != "ready" || rec.ReadyAt == nil || rec.Pid <= 0 || rec.StopReason != nil ||
				rec.ExitCode != nil || rec.EndedAt != nil || rec.Cwd != cwd || rec.ServiceName != tt.name {
				t.Errorf("record %+v", rec)
			}
			if tt.readiness != nil && rec.Readiness != *tt.readiness {
				t.Errorf("readiness %+v, want %+v", rec.Readiness, *tt.readiness)
			}
			if tt.readiness == nil && (rec.Readiness.Type != "none" || rec.Readiness.TimeoutMs != 30000) {
				t.Errorf("default readiness %+v", rec.Readiness)
			}
		})
	}
}

func TestServiceReadinessTimeout(t *testing.T) {
	c := newClient(t, testServer(t))
	r := probe("file", "never")
	r.TimeoutMs = 300
	begin := time.Now()
	rec := startService(t, c, ServiceStartRequest{
		Name: "slow", Argv: []string{"sh", "-c", "sleep 100 & sleep 100"}, Cwd: t.TempDir(), Readiness: r,
	})
	if d := time.Since(begin); d < 300*time.Millisecond || d > 5*time.Second {
		t.Errorf("answered after %v", d)
	}
	if rec.State != "failed" || rec.StopReason == nil || *rec.StopReason != "readiness_timeout" ||
		rec.ExitCode == nil || *rec.ExitCode != 143 || rec.ReadyAt != nil {
		t.Errorf("record %+v", rec)
	}
	if pids := procgroup.Group(rec.Pid).Pids(); len(pids) > 0 {
		t.Errorf("group %d still has %v", rec.Pid, pids)
	}
}

func TestServiceExitsBeforeReady(t *testing.T) {
	c := newClient(t, testServer(t))
	rec := startService(t, c, ServiceStartRequest{
		Name: "quick", Argv: []string{"sh", "-c", "echo bye >&2; exit 3"}, Readiness: probe("tcp", freeAddr(t)),
	})
	if rec.State != "failed" || rec.StopReason == nil || *rec.StopReason != "exited_before_ready" ||
		rec.ExitCode == nil || *rec.ExitCode != 3 || rec.EndedAt == nil {
		t.Errorf("record %+v", rec)
	}
	// A missing executable fails the same way, with exec's 127 and message.
	rec = startService(t, c, ServiceStartRequest{Name: "missing", Argv: []string{"/nonexistent/pyro"}})
	if rec.State != "failed" || rec.ExitCode == nil || *rec.ExitCode != 127 {
		t.Errorf("record %+v", rec)
	}
	var logs ServiceLogs
	callOK(t, c, "GET", "/v1/services/missing/logs", nil, &logs)
	if !strings.Contains(logs.Stderr, `exec "/nonexistent/pyro": no such file or directory`) {
		t.Errorf("logs %+v", logs)
	}
}

// With readiness none a later exit is "exited", not a failure.
func TestServiceExitsAfterReady(t *testing.T) {
	c := newClient(t, testServer(t))
	rec := startService(t, c, ServiceStartRequest{Name: "brief", Argv: []string{"sh", "-c", "sleep 0.2; exit 5"}})
	if rec.State != "ready" {
		t.Fatalf("record %+v", rec)
	}
	eventually(t, "exit", func() bool {
		callOK(t, c, "GET", "/v1/services/brief", nil, &rec)
		return rec.State != "ready"
	})
	if rec.State != "exited" || *rec.StopReason != "exited" || *rec.ExitCode != 5 || rec.EndedAt == nil {
		t.Errorf("record %+v", rec)
	}
}

func TestServiceLogs(t *testing.T) {
	dir := t.TempDir()
	s := testServer(t)
	s.Services = services.NewManager(dir, s.Secrets.Values)
	c := newClient(t, s)
	script := "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; exec sleep 100"
	startService(t, c, ServiceStartRequest{Name: "chatty", Argv: []string{"sh", "-c", script}})
	var logs ServiceLogs
	eventually(t, "all output logged", func() bool {
		callOK(t, c, "GET", "/v1/services/chatty/logs?all=1", nil, &logs)
		return strings.HasSuffix(logs.Stdout, "out5\n") && strings.HasSuffix(logs.Stderr, "err5\n")
	})
	if logs.Stdout != "out1\nout2\nout3\nout4\nout5\n" || logs.Truncated {
		t.Errorf("all: %+v", logs)
	}
	callOK(t, c, "GET", "/v1/services/chatty/logs?tail_lines=2", nil, &logs)
	if logs.ServiceName != "chatty" || logs.Stdout != "out4\nout5\n" || logs.Stderr != "err4\nerr5\n" || !logs.Truncated {
		t.Errorf("tail: %+v", logs)
	}
	fi, err := os.Stat(filepath.Join(dir, "chatty"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("log directory: %v %v", fi, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "chatty", "stderr.log")); err != nil {
		t.Error(err)
	}
	wantError(t, c, "GET", "/v1/services/chatty/logs?tail_lines=-1", nil, 400, "invalid_argument")
	wantError(t, c, "GET", "/v1/services/nope/logs", nil, 404, "not_found")
}

func TestServiceStop(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		graceMs  int64
		wantCode int
	}{
		{"obeys TERM", "sleep 100 & exec sleep 100", 5000, 143},
		{"ignores TERM", "trap '' TERM; sleep 100 & exec sleep 100", 200, 137},
	}
	c := newClient(t, testServer(t))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name := "stop" + string(rune('a'+i))
			rec := startService(t, c, ServiceStartRequest{Name: name, Argv: []string{"sh", "-c", tt.script}})
			eventually(t, "both sleeps", func() bool { return len(procgroup.Group(rec.Pid).Pids()) == 2 })
			callOK(t, c, "POST", "/v1/services/"+name+"/stop", ServiceStopRequest{GraceMs: &tt.graceMs}, &rec)
			if rec.State != "stopped" || *rec.StopReason != "stopped" || rec.ExitCode == nil || *rec.ExitCode != tt.wantCode {
				t.Errorf("record %+v", rec)
			}
			if pids := procgroup.Group(rec.Pid).Pids(); len(pids) > 0 {
				t.Errorf("group %d still has %v", rec.Pid, pids)
			}
		})
	}
}

func TestServiceDuplicateName(t *testing.T) {
	c := newClient(t, testServer(t))
	req := ServiceStartRequest{Name: "dup", Argv: []string{"sleep", "100"}}
	first := startService(t, c, req)
	wantError(t, c, "POST", "/v1/services", req, 409, "service_exists")
	callOK(t, c, "POST", "/v1/services/dup/stop", `{"grace_ms":1000}`, nil)
	second := startService(t, c, req) // a finished one is replaced
	if second.State != "ready" || second.Pid == first.Pid {
		t.Errorf("replacement %+v", second)
	}
	var list ServiceList
	callOK(t, c, "GET", "/v1/services", nil, &list)
	if len(list.Services) != 1 || list.Services[0].Pid != second.Pid {
		t.Errorf("list %+v", list)
	}
}

func TestServiceStartInvalid(t *testing.T) {
	c := newClient(t, testServer(t))
	for _, body := range []any{
		ServiceStartRequest{Name: "../etc", Argv: []string{"true"}},
		ServiceStartRequest{Name: "x", Argv: nil},
		ServiceStartRequest{Name: "x", Argv: []string{"true"}, Readiness: &ServiceReadiness{Type: "ping"}},
		ServiceStartRequest{Name: "x", Argv: []string{"true"}, Readiness: &ServiceReadiness{Type: "http", Target: "nope"}},
		ServiceStartRequest{Name: "x", Argv: []string{"true"}, Readiness: &ServiceReadiness{Type: "file", TimeoutMs: -1, Target: "f"}},
		`{"name":"x","argv":["true"],"restart":true}`,
	} {
		wantError(t, c, "POST", "/v1/services", body, 400, "invalid_argument")
	}
	wantError(t, c, "POST", "/v1/services/x/stop", `{"grace_ms":-5}`, 400, "invalid_argument")
	wantError(t, c, "POST", "/v1/services/x/stop", `{"grace_ms":5}`, 404, "not_found")
}
