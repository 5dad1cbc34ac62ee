package supervisor

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/logging"
	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

// fakeMachine is a VMM without a VM: its agent is an in-process HTTP/2
// server on a Unix socket, and it "exits" when told to.
type fakeMachine struct {
	agentPath string
	done      chan struct{}
	once      sync.Once
	exit      vmm.Exit
	stops     []bool // graceful flag of each Stop call
	mu        sync.Mutex

	saved      []string // paths of Save calls
	restored   []string // paths of Restore calls
	restoreErr error    // what Restore answers
	continued  int      // Continue calls
}

func (m *fakeMachine) Save(_ context.Context, path string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved = append(m.saved, path)
	return os.WriteFile(path, []byte("state"), 0o600)
}

func (m *fakeMachine) Restore(_ context.Context, path string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.restored = append(m.restored, path)
	return m.restoreErr
}

func (m *fakeMachine) Continue(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.continued++
	return nil
}

func (m *fakeMachine) PID() int              { return 4242 }
func (m *fakeMachine) Done() <-chan struct{} { return m.done }
func (m *fakeMachine) Exit() vmm.Exit        { <-m.done; return m.exit }

// end makes the fake VMM exit with exit (first call wins).
func (m *fakeMachine) end(exit vmm.Exit) {
	m.once.Do(func() {
		exit.At = time.Now()
		m.exit = exit
		close(m.done)
	})
}

func (m *fakeMachine) DialAgent(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", m.agentPath)
}

func (m *fakeMachine) Status(context.Context) (string, error) { return "running", nil }

func (m *fakeMachine) Stop(_ context.Context, graceful bool, timeout time.Duration) (vmm.Exit, error) {
	m.mu.Lock()
	m.stops = append(m.stops, graceful)
	m.mu.Unlock()
	select {
	case <-m.done:
	case <-time.After(timeout):
		m.end(vmm.Exit{Code: vmm.ExitCode(0), Reason: "host-qmp-quit"})
	}
	return m.Exit(), nil
}

func (m *fakeMachine) Kill() vmm.Exit {
	m.end(vmm.Exit{Signal: "SIGKILL"})
	return m.Exit()
}

// fakeDriver hands out one fakeMachine.
type fakeDriver struct{ m *fakeMachine }

func (d *fakeDriver) Name() string                               { return "fake" }
func (d *fakeDriver) Capabilities() vmm.Capabilities             { return vmm.Capabilities{} }
func (d *fakeDriver) ExecutionMode() string                      { return "guest_virtio_serial" }
func (d *fakeDriver) Prepare(protocol.VM) error                  { return nil }
func (d *fakeDriver) Start(context.Context) (vmm.Machine, error) { return d.m, nil }
func (d *fakeDriver) Probe(context.Context, vmm.ProbeOptions) protocol.DriverProbe {
	return protocol.DriverProbe{Driver: "fake", Available: true}
}
func (d *fakeDriver) Command(protocol.VM) (protocol.VMMCommand, error) {
	return protocol.VMMCommand{Driver: "fake"}, nil
}

// fakeAgent serves the agent routes the supervisor uses. exec streams a
// started event, then waits for release (or the stream's end) before exit.
type fakeAgent struct {
	m        *fakeMachine
	release  chan struct{}
	execSeen chan struct{}
	version  int
	infoHang bool // never answer /v1/info (a guest that does not boot)

	mu         sync.Mutex
	identities []map[string]any // bodies of POST /v1/identity
}

func (a *fakeAgent) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/v1/info":
		if a.infoHang {
			<-r.Context().Done()
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"agent_version": "0.1.0", "protocol_version": a.version, "capabilities": []string{}, "boot_ms": 1})
	case "/v1/exec":
		w.Header().Set("content-type", "application/x-ndjson")
		fmt.Fprintln(w, `{"type":"started","pid":7}`)
		w.(http.Flusher).Flush()
		select {
		case a.execSeen <- struct{}{}:
		default:
		}
		select {
		case <-a.release:
			fmt.Fprintln(w, `{"type":"exit","exit_code":0,"signal":"","timed_out":false,"duration_ms":1}`)
		case <-r.Context().Done():
		}
	case "/v1/identity":
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		a.identities = append(a.identities, body)
		a.mu.Unlock()
		fmt.Fprintln(w, `{"ok":true}`)
	case "/v1/poweroff":
		fmt.Fprintln(w, `{"ok":true}`)
		go a.m.end(vmm.Exit{Code: vmm.ExitCode(0), Reason: "guest-reset"})
	default:
		http.NotFound(w, r)
	}
}

// harness is a supervisor running on a fake VMM, with its config in a temp dir.
type harness struct {
	t     *testing.T
	sv    *Supervisor
	m     *fakeMachine
	agent *fakeAgent
	cfg   *protocol.Config
	ran   chan struct{}
	dir   string

	agentSrv *http.Server
}

// crash kills the fake VMM the way a kill -9 of QEMU does: the agent
// channel breaks, then the process is reaped.
func (h *harness) crash() {
	h.agentSrv.Close()
	h.m.end(vmm.Exit{Signal: "SIGKILL", Stderr: "qemu: terminating on signal 9"})
}

func newHarness(t *testing.T, edit func(*protocol.Config, *fakeAgent)) *harness {
	t.Helper()
	dir, err := os.MkdirTemp("", "pyro-sv-") // short: socket paths stay under 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	vmDir := filepath.Join(dir, "vm")
	run, logs := filepath.Join(vmDir, "run"), filepath.Join(vmDir, "logs")
	for _, d := range []string{run, logs} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &protocol.Config{
		VM: protocol.VM{VMID: "vm_0123456789ab", Accel: "tcg", RunDir: run, AgentSocketPath: filepath.Join(run, "agent.sock"),
			ConsoleLogPath: filepath.Join(logs, "console.log"), DeviceDiscovery: "acpi"},
		BootTimeoutMs: 5000,
		SocketPath:    filepath.Join(run, "sv.sock"),
		PidPath:       filepath.Join(run, "sv.pid"),
		StatePath:     filepath.Join(run, "sv.json"),
		LogPath:       filepath.Join(logs, "sv.log"),
	}
	m := &fakeMachine{agentPath: cfg.VM.AgentSocketPath, done: make(chan struct{})}
	a := &fakeAgent{m: m, release: make(chan struct{}), execSeen: make(chan struct{}, 1), version: 1}
	if edit != nil {
		edit(cfg, a)
	}
	ln, err := net.Listen("unix", cfg.VM.AgentSocketPath)
	if err != nil {
		t.Fatal(err)
	}
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	agentSrv := &http.Server{Handler: a, Protocols: &protocols}
	go agentSrv.Serve(ln)
	t.Cleanup(func() { agentSrv.Close() })
	h := &harness{t: t, m: m, agent: a, cfg: cfg, ran: make(chan struct{}), dir: vmDir, agentSrv: agentSrv}

	log, logFile, err := logging.Open(cfg.LogPath, cfg.VM.VMID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	sv := New(cfg, &fakeDriver{m: m}, log)
	if err := sv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := sv.Listen(); err != nil {
		t.Fatal(err)
	}
	h.sv = sv
	go func() { sv.Run(); close(h.ran) }()
	t.Cleanup(func() {
		m.end(vmm.Exit{Signal: "SIGKILL"})
		select {
		case <-h.ran:
		case <-time.After(5 * time.Second):
			t.Error("the supervisor did not finish")
		}
	})
	return h
}

// client is an HTTP/1.1 client of the supervisor's socket, as core's is.
func (h *harness) client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", h.cfg.SocketPath)
		},
		DisableKeepAlives: true,
	}}
}

// waitRan waits until Run has returned.
func (h *harness) waitRan() {
	h.t.Helper()
	select {
	case <-h.ran:
	case <-time.After(5 * time.Second):
		h.t.Fatal("the supervisor did not finish")
	}
}

// recorded reads run/sv.json.
func (h *harness) recorded() protocol.State {
	h.t.Helper()
	var st protocol.State
	raw, err := os.ReadFile(h.cfg.StatePath)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		h.t.Fatal(err)
	}
	return st
}
