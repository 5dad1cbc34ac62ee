package supervisor

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/api"
	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

func (h *harness) getJSON(method, path, body string, out any) int {
	h.t.Helper()
	req, _ := http.NewRequest(method, "http://sv"+path, strings.NewReader(body))
	res, err := h.client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			h.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return res.StatusCode
}

func TestBootsReadyAndServes(t *testing.T) {
	h := newHarness(t, nil)
	var st protocol.State
	if code := h.getJSON("GET", "/v1/ready", "", &st); code != 200 {
		t.Fatalf("ready answered %d", code)
	}
	if st.State != protocol.PhaseReady || st.BootMs == nil || st.AgentVersion == nil || *st.AgentVersion != "0.1.0" || st.VMMPID == nil || *st.VMMPID != 4242 {
		t.Fatalf("state %+v", st)
	}
	if st.PublishedPorts == nil || st.ExecutionMode != "guest_virtio_serial" {
		t.Fatalf("published_ports must be [] and execution_mode set: %+v", st)
	}
	if rec := h.recorded(); rec.State != protocol.PhaseReady {
		t.Fatalf("sv.json says %s", rec.State)
	}
	fi, err := os.Stat(h.cfg.SocketPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket %v %v, want mode 0600", fi, err)
	}
	if pid, _ := os.ReadFile(h.cfg.PidPath); strings.TrimSpace(string(pid)) == "" {
		t.Fatal("no pid file")
	}
	// An exec answer streams through, events in order.
	go func() { <-h.agent.execSeen; close(h.agent.release) }()
	req, _ := http.NewRequest("POST", "http://sv/v1/agent/exec", strings.NewReader(""))
	req.Header.Set("pyro-exec", `{"argv":["true"]}`)
	res, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"type":"exit"`) || res.Header.Get("content-type") != "application/x-ndjson" {
		t.Fatalf("exec answered %d %q", res.StatusCode, body)
	}
}

func TestCrashWhileReady(t *testing.T) {
	h := newHarness(t, nil)
	_ = os.WriteFile(h.cfg.VM.ConsoleLogPath, []byte("Linux version 6.1\nOut of memory: Killed process 1\n"), 0o600)
	if code := h.getJSON("GET", "/v1/ready", "", nil); code != 200 {
		t.Fatalf("ready answered %d", code)
	}
	req, _ := http.NewRequest("POST", "http://sv/v1/agent/exec", strings.NewReader(""))
	res, err := h.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	first, _ := bufio.NewReader(res.Body).ReadString('\n')
	if !strings.Contains(first, "started") {
		t.Fatalf("first event %q", first)
	}
	<-h.agent.execSeen
	h.crash()
	rest, err := io.ReadAll(res.Body) // the answer ends cleanly, not cut
	if err != nil {
		t.Fatalf("exec answer was cut: %v (%q)", err, rest)
	}
	var e protocol.ErrorBody
	if err := json.Unmarshal([]byte(res.Trailer.Get(api.ErrorTrailer)), &e); err != nil || e.Code != "guest_unreachable" || !strings.Contains(e.Message, "SIGKILL") {
		t.Fatalf("trailer %q: %v", res.Trailer.Get(api.ErrorTrailer), err)
	}
	h.waitRan()
	st := h.recorded()
	if st.State != protocol.PhaseFailed || st.Error == nil || st.Error.Code != "vmm_crashed" {
		t.Fatalf("final state %+v", st)
	}
	for _, want := range []string{"killed by SIGKILL", "without a stop request", "Out of memory: Killed process 1", "terminating on signal 9"} {
		if !strings.Contains(st.Error.Message, want) {
			t.Errorf("crash message %q lacks %q", st.Error.Message, want)
		}
	}
	if st.Exit == nil || st.Exit.Signal == nil || *st.Exit.Signal != "SIGKILL" || st.Exit.Code != nil {
		t.Errorf("exit %+v", st.Exit)
	}
	for _, p := range []string{h.cfg.SocketPath, h.cfg.PidPath} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
}

func TestShutdown(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantCode   *int
		wantSignal string
		wantStops  int
	}{
		{"poweroff through the agent, VMM exits by itself", `{"mode":"poweroff","timeout_ms":2000}`, vmm.ExitCode(0), "", 1},
		{"kill", `{"mode":"kill"}`, nil, "SIGKILL", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.getJSON("GET", "/v1/ready", "", nil)
			var st protocol.State
			if code := h.getJSON("POST", "/v1/shutdown", tt.body, &st); code != 200 {
				t.Fatalf("shutdown answered %d", code)
			}
			if st.State != protocol.PhaseExited || st.Error != nil || st.Exit == nil {
				t.Fatalf("answer %+v", st)
			}
			if (tt.wantCode == nil) != (st.Exit.Code == nil) || (tt.wantCode != nil && *st.Exit.Code != *tt.wantCode) {
				t.Errorf("exit %+v", st.Exit)
			}
			if tt.wantSignal != "" && (st.Exit.Signal == nil || *st.Exit.Signal != tt.wantSignal) {
				t.Errorf("exit %+v", st.Exit)
			}
			h.m.mu.Lock()
			stops := len(h.m.stops)
			h.m.mu.Unlock()
			if stops != tt.wantStops {
				t.Errorf("driver Stop called %d times", stops)
			}
			h.waitRan()
		})
	}
}

func TestBootFailures(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*protocol.Config, *fakeAgent)
		during    func(h *harness)
		wantCode  string
		wantInMsg string
	}{
		{"agent of another protocol", func(_ *protocol.Config, a *fakeAgent) { a.version = 2 }, nil, "guest_protocol_mismatch", "protocol 2, host expects 1"},
		{"agent never answers", func(c *protocol.Config, a *fakeAgent) { a.infoHang, c.BootTimeoutMs = true, 300 }, nil, "boot_failed", "did not answer within 300 ms"},
		{"VMM exits during boot", func(_ *protocol.Config, a *fakeAgent) { a.infoHang = true }, func(h *harness) {
			time.Sleep(50 * time.Millisecond)
			h.m.end(vmm.Exit{Code: vmm.ExitCode(1), Stderr: "qemu: could not load kernel\n"})
		}, "boot_failed", "exited with code 1 during boot; stderr: qemu: could not load kernel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.edit)
			if tt.during != nil {
				go tt.during(h)
			}
			var failure protocol.ReadyFailure
			if code := h.getJSON("GET", "/v1/ready", "", &failure); code != 503 {
				t.Fatalf("ready answered %d", code)
			}
			if failure.Error.Code != tt.wantCode || !strings.Contains(failure.Error.Message, tt.wantInMsg) || failure.State.State != protocol.PhaseFailed {
				t.Fatalf("failure %+v", failure)
			}
			h.waitRan()
			if st := h.recorded(); st.State != protocol.PhaseFailed || st.Error.Code != tt.wantCode {
				t.Fatalf("final %+v", st)
			}
		})
	}
}

func TestStopDuringBootIsNotAFailure(t *testing.T) {
	h := newHarness(t, func(_ *protocol.Config, a *fakeAgent) { a.infoHang = true })
	var st protocol.State
	if code := h.getJSON("POST", "/v1/shutdown", `{"mode":"poweroff","timeout_ms":100}`, &st); code != 200 {
		t.Fatalf("shutdown answered %d", code)
	}
	if st.State != protocol.PhaseExited || st.Error != nil {
		t.Fatalf("final %+v", st)
	}
	h.waitRan()
}

func TestIdleTTLExpires(t *testing.T) {
	h := newHarness(t, func(c *protocol.Config, _ *fakeAgent) { c.TTLSeconds = 1 })
	var st protocol.State
	h.getJSON("GET", "/v1/ready", "", &st)
	if st.ExpiresAt == nil {
		t.Fatal("no expires_at with a TTL")
	}
	h.waitRan()
	if st := h.recorded(); st.State != protocol.PhaseExpired || st.Error != nil {
		t.Fatalf("final %+v", st)
	}
}

func TestOwnerDeathRemovesTheVM(t *testing.T) {
	owner := exec.Command("sleep", "0.5")
	if err := owner.Start(); err != nil {
		t.Skip(err)
	}
	go owner.Wait()
	pid := owner.Process.Pid
	h := newHarness(t, func(c *protocol.Config, _ *fakeAgent) { c.OwnerPID = &pid })
	h.getJSON("GET", "/v1/ready", "", nil)
	h.waitRan()
	if _, err := os.Stat(h.dir); !os.IsNotExist(err) {
		t.Fatalf("VM directory %s still there (%v)", h.dir, err)
	}
}

func TestTerminateSignalKills(t *testing.T) {
	h := newHarness(t, nil)
	h.getJSON("GET", "/v1/ready", "", nil)
	h.sv.Terminate("terminated")
	h.waitRan()
	if st := h.recorded(); st.State != protocol.PhaseExited || st.Exit == nil || st.Exit.Signal == nil {
		t.Fatalf("final %+v", st)
	}
}
