package supervisor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

func persistentDisk(t *testing.T) func(*protocol.Config, *fakeAgent) {
	return func(c *protocol.Config, _ *fakeAgent) {
		c.VM.DiskMode = "persistent"
		c.VM.RootfsPath = filepath.Join(t.TempDir(), "rootfs.ext4")
		if err := os.WriteFile(c.VM.RootfsPath, []byte("disk bytes"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckpointSavesCopiesTheDiskAndKeepsTheVMRunning(t *testing.T) {
	h := newHarness(t, persistentDisk(t))
	h.getJSON("GET", "/v1/ready", "", nil)
	state := filepath.Join(h.dir, "state")
	copies := []string{filepath.Join(h.dir, "a.ext4"), filepath.Join(h.dir, "b.ext4")}
	body := `{"path":"` + state + `","keep_running":true,"disk_copies":["` + copies[0] + `","` + copies[1] + `"]}`
	var st protocol.State
	if code := h.getJSON("POST", "/v1/save", body, &st); code != 200 {
		t.Fatalf("checkpoint answered %d", code)
	}
	if st.State != protocol.PhaseReady || len(h.m.saved) != 1 || h.m.continued != 1 {
		t.Fatalf("state %+v, saved %v, continued %d", st, h.m.saved, h.m.continued)
	}
	for _, c := range copies {
		if raw, err := os.ReadFile(c); err != nil || string(raw) != "disk bytes" {
			t.Fatalf("copy %s: %q %v", c, raw, err)
		}
	}
	// The VM still takes agent requests (its session is dialled again).
	if code := h.getJSON("GET", "/v1/agent/info", "", nil); code != 200 {
		t.Fatalf("agent after checkpoint answered %d", code)
	}
}

func TestCheckpointRefusesAnExistingCopyPathBeforeStopping(t *testing.T) {
	h := newHarness(t, persistentDisk(t))
	h.getJSON("GET", "/v1/ready", "", nil)
	taken := filepath.Join(h.dir, "taken")
	if err := os.WriteFile(taken, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var body protocol.ErrorResponse
	req := `{"path":"` + filepath.Join(h.dir, "state") + `","keep_running":true,"disk_copies":["` + taken + `"]}`
	if code := h.getJSON("POST", "/v1/save", req, &body); code != 400 || body.Error.Code != "invalid_argument" {
		t.Fatalf("checkpoint answered %d %+v", code, body)
	}
	if len(h.m.saved) != 0 || h.m.continued != 0 {
		t.Fatalf("saved %v, continued %d", h.m.saved, h.m.continued)
	}
}

func TestCheckpointWithAFailedCopyRemovesItsCopiesAndContinues(t *testing.T) {
	h := newHarness(t, persistentDisk(t))
	h.getJSON("GET", "/v1/ready", "", nil)
	good := filepath.Join(h.dir, "good.ext4")
	bad := filepath.Join(h.dir, "missing-dir", "bad.ext4")
	var body protocol.ErrorResponse
	req := `{"path":"` + filepath.Join(h.dir, "state") + `","keep_running":true,"disk_copies":["` + good + `","` + bad + `"]}`
	if code := h.getJSON("POST", "/v1/save", req, &body); code == 200 || body.Error.Code != protocol.CodeSaveFailed {
		t.Fatalf("checkpoint answered %d %+v", code, body)
	}
	if _, err := os.Stat(good); !os.IsNotExist(err) {
		t.Fatalf("the first copy was kept: %v", err)
	}
	var st protocol.State
	h.getJSON("GET", "/v1/status", "", &st)
	if h.m.continued != 1 || st.State != protocol.PhaseReady {
		t.Fatalf("continued %d, state %s", h.m.continued, st.State)
	}
}
