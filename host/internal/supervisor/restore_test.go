package supervisor

import (
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

func withIdentity(c *protocol.Config) {
	c.Identity = &protocol.Identity{Hostname: "vm-0123456789ab", MachineID: strings.Repeat("ab", 16)}
}

func TestRestoreLoadsStateThenSetsIdentity(t *testing.T) {
	h := newHarness(t, func(c *protocol.Config, _ *fakeAgent) {
		withIdentity(c)
		c.VM.RestoreStatePath = "/templates/t/state"
		c.VM.Network = &protocol.Network{TapName: "pyro0", MAC: "52:54:00:12:34:56", KernelParam: "pyro.net=172.29.0.2/30,172.29.0.1"}
	})
	var st protocol.State
	if code := h.getJSON("GET", "/v1/ready", "", &st); code != 200 || st.State != protocol.PhaseReady {
		t.Fatalf("ready answered %d: %+v", code, st)
	}
	if len(h.m.restored) != 1 || h.m.restored[0] != "/templates/t/state" {
		t.Fatalf("restored %v", h.m.restored)
	}
	h.agent.mu.Lock()
	defer h.agent.mu.Unlock()
	if len(h.agent.identities) != 1 {
		t.Fatalf("identity sent %d times", len(h.agent.identities))
	}
	id := h.agent.identities[0]
	entropy, _ := base64.StdEncoding.DecodeString(id["entropy"].(string))
	clock := int64(id["wall_clock_ns"].(float64))
	net := id["network"].(map[string]any)
	if id["hostname"] != "vm-0123456789ab" || id["machine_id"] != strings.Repeat("ab", 16) || len(entropy) != entropyBytes ||
		time.Since(time.Unix(0, clock)) > 5*time.Second || net["mac"] != "52:54:00:12:34:56" || net["config"] != "172.29.0.2/30,172.29.0.1" {
		t.Fatalf("identity %v", id)
	}
}

func TestRestoreFailureIsRestoreFailed(t *testing.T) {
	h := newHarness(t, func(c *protocol.Config, a *fakeAgent) {
		withIdentity(c)
		c.VM.RestoreStatePath = "/templates/t/state"
		// Before the supervisor starts: its boot may call Restore before newHarness returns.
		a.m.restoreErr = errors.New("QEMU exited with code 1: load of migration failed")
	})
	var failure protocol.ReadyFailure
	if code := h.getJSON("GET", "/v1/ready", "", &failure); code != 503 {
		t.Fatalf("ready answered %d", code)
	}
	if failure.Error.Code != protocol.CodeRestoreFailed || !strings.Contains(failure.Error.Message, "load of migration failed") {
		t.Fatalf("failure %+v", failure)
	}
	h.waitRan()
}

func TestRestoredAgentThatNeverAnswersFailsWithinTheRestoreBound(t *testing.T) {
	h := newHarness(t, func(c *protocol.Config, a *fakeAgent) {
		withIdentity(c)
		c.VM.RestoreStatePath = "/templates/t/state"
		c.RestoreTimeoutMs = 300
		a.infoHang = true
	})
	start := time.Now()
	var failure protocol.ReadyFailure
	if code := h.getJSON("GET", "/v1/ready", "", &failure); code != 503 {
		t.Fatalf("ready answered %d", code)
	}
	if failure.Error.Code != protocol.CodeRestoreFailed || time.Since(start) > 3*time.Second {
		t.Fatalf("failure %+v after %v", failure, time.Since(start))
	}
	h.waitRan()
}

func TestColdBootSendsIdentityWhenConfigured(t *testing.T) {
	h := newHarness(t, func(c *protocol.Config, _ *fakeAgent) { withIdentity(c) })
	h.getJSON("GET", "/v1/ready", "", nil)
	h.agent.mu.Lock()
	defer h.agent.mu.Unlock()
	if len(h.agent.identities) != 1 || h.agent.identities[0]["network"] != nil || len(h.m.restored) != 0 {
		t.Fatalf("identities %v, restored %v", h.agent.identities, h.m.restored)
	}
}

func TestSaveWritesStateAndEndsTheVM(t *testing.T) {
	h := newHarness(t, nil)
	h.getJSON("GET", "/v1/ready", "", nil)
	path := filepath.Join(h.dir, "state")
	var st protocol.State
	if code := h.getJSON("POST", "/v1/save", `{"path":"`+path+`"}`, &st); code != 200 {
		t.Fatalf("save answered %d", code)
	}
	if st.State != protocol.PhaseExited || len(h.m.saved) != 1 || h.m.saved[0] != path {
		t.Fatalf("state %+v, saved %v", st, h.m.saved)
	}
	h.waitRan()
}

func TestAFailedSaveLeavesTheVMReady(t *testing.T) {
	h := newHarness(t, nil)
	h.getJSON("GET", "/v1/ready", "", nil)
	var body protocol.ErrorResponse
	path := filepath.Join(h.dir, "missing-dir", "state") // the fake's write fails
	if code := h.getJSON("POST", "/v1/save", `{"path":"`+path+`"}`, &body); code == 200 || body.Error.Code != protocol.CodeSaveFailed {
		t.Fatalf("save answered %d %+v", code, body)
	}
	var st protocol.State
	h.getJSON("GET", "/v1/status", "", &st)
	if st.State != protocol.PhaseReady || h.m.continued != 1 || len(h.m.stops) != 0 {
		t.Fatalf("state %s, continued %d, stops %v", st.State, h.m.continued, h.m.stops)
	}
	if code := h.getJSON("GET", "/v1/agent/info", "", nil); code != 200 {
		t.Fatalf("agent after a failed save answered %d", code)
	}
}

func TestSaveRefusesAVMThatIsNotReady(t *testing.T) {
	h := newHarness(t, func(_ *protocol.Config, a *fakeAgent) { a.infoHang = true })
	var body protocol.ErrorResponse
	if code := h.getJSON("POST", "/v1/save", `{"path":"/tmp/x"}`, &body); code != 409 || body.Error.Code != "vm_not_running" {
		t.Fatalf("save answered %d %+v", code, body)
	}
	if len(h.m.saved) != 0 {
		t.Fatal("saved anyway")
	}
}
