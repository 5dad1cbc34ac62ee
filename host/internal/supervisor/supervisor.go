// Package supervisor is the per-VM host process: it owns the VMM child, the
// one HTTP/2 session to the guest agent (kept connected for the VM's whole
// life: a virtio-serial port reads EOF in the guest while no host is
// connected), the idle TTL, the owner watch of one-shot VMs, published
// ports, the console log cap and the VM's final state, and it serves the
// API of internal/api on a 0600 Unix socket. State changes are written to
// run/sv.json; events are logged to logs/sv.log.
package supervisor

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/agent"
	"github.com/pyro-mcp/pyro/host/internal/api"
	"github.com/pyro-mcp/pyro/host/internal/idle"
	"github.com/pyro-mcp/pyro/host/internal/ports"
	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/statefile"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

// Supervisor runs one VM. Create it with New, then Start, Listen and Run.
type Supervisor struct {
	cfg    *protocol.Config
	log    *slog.Logger
	driver vmm.Driver

	machine   vmm.Machine    // set by Start
	vmmSpawn  time.Time      // when the VMM was spawned
	consoleAt int64          // console log size at spawn: where this boot's output starts
	agent     *agent.Session // set by Start
	ports     *ports.Publisher
	idle      *idle.Tracker
	listener  net.Listener
	server    *http.Server
	ownerGone atomic.Bool

	mu    sync.Mutex
	state protocol.State // idle marks and ports are filled in by snapshot

	writeMu sync.Mutex    // serialises run/sv.json writes
	dirty   chan struct{} // persistSoon's requests (capacity 1)

	settled  chan struct{} // closed once boot is decided (ready, failed or stopped)
	told     chan struct{} // closed once a /v1/ready caller has seen the settled state
	tellOnce sync.Once
	final    chan struct{} // closed once the final state is recorded
	stopReq  chan struct{} // closed by the first stop request
	stopOnce sync.Once

	checkpointMu sync.Mutex // one Checkpoint at a time
}

// New prepares a supervisor for cfg with driver; nothing runs yet.
func New(cfg *protocol.Config, driver vmm.Driver, log *slog.Logger) *Supervisor {
	now := time.Now()
	s := &Supervisor{
		cfg:     cfg,
		log:     log,
		driver:  driver,
		settled: make(chan struct{}),
		told:    make(chan struct{}),
		final:   make(chan struct{}),
		stopReq: make(chan struct{}),
		dirty:   make(chan struct{}, 1),
		state: protocol.State{
			VMID:          cfg.VM.VMID,
			State:         protocol.PhaseBooting,
			SupervisorPID: os.Getpid(),
			Acceleration:  cfg.VM.Accel,
			ExecutionMode: driver.ExecutionMode(),
			StartedAt:     protocol.Timestamp(now),
		},
	}
	s.idle = idle.New(time.Duration(cfg.TTLSeconds)*time.Second, nil, s.expire)
	s.ports = ports.New(s.openPortStream, s.serviceLive, log, s.persistSoon)
	return s
}

// snapshot returns the state record with the live idle marks and ports.
func (s *Supervisor) snapshot() protocol.State {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	marks := s.idle.Snapshot()
	st.LastActivityAt = protocol.Timestamp(marks.LastActivity)
	if !marks.ExpiresAt.IsZero() {
		at := protocol.Timestamp(marks.ExpiresAt)
		st.ExpiresAt = &at
	}
	st.InFlight = marks.InFlight
	st.PublishedPorts = s.ports.List()
	return st
}

// update changes the state under the lock, then persists it.
func (s *Supervisor) update(change func(*protocol.State)) {
	s.mu.Lock()
	change(&s.state)
	s.mu.Unlock()
	s.persist()
}

// phase returns the current phase.
func (s *Supervisor) phase() protocol.Phase {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.State
}

// persist writes run/sv.json now; a failure is logged, never fatal.
// Snapshot and write happen under one lock, so the last write always
// carries the newest state.
func (s *Supervisor) persist() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := statefile.WriteJSON(s.cfg.StatePath, s.snapshot()); err != nil {
		s.log.Error("state_write_failed", "error", err.Error())
	}
}

// persistSoon asks the writer goroutine to persist: request activity must
// not wait for a file write.
func (s *Supervisor) persistSoon() {
	select {
	case s.dirty <- struct{}{}:
	default: // a write is already pending
	}
}

// writer persists on persistSoon's requests until the VM has ended.
func (s *Supervisor) writer() {
	for {
		select {
		case <-s.dirty:
			s.persist()
		case <-s.final:
			return
		}
	}
}

// stopRequested reports whether a stop (API, TTL, owner, signal) has begun.
func (s *Supervisor) stopRequested() bool {
	select {
	case <-s.stopReq:
		return true
	default:
		return false
	}
}

var _ api.Backend = (*Supervisor)(nil)

// Status implements api.Backend.
func (s *Supervisor) Status() protocol.State { return s.snapshot() }

// Ready implements api.Backend.
func (s *Supervisor) Ready(ctx context.Context) (protocol.State, bool) {
	select {
	case <-s.settled:
		defer s.tellOnce.Do(func() { close(s.told) })
	case <-ctx.Done():
	}
	st := s.snapshot()
	return st, st.State == protocol.PhaseReady
}

// PublishedPorts implements api.Backend.
func (s *Supervisor) PublishedPorts() []protocol.PublishedPort { return s.ports.List() }

// Publish implements api.Backend.
func (s *Supervisor) Publish(req protocol.PublishRequest) (protocol.PublishedPort, error) {
	if p := s.phase(); p != protocol.PhaseReady {
		return protocol.PublishedPort{}, protocol.Errorf(protocol.ErrVMNotRunning, "VM is %s", p)
	}
	return s.ports.Publish(req.Service, req.GuestPort, req.HostPort)
}

// Unpublish implements api.Backend.
func (s *Supervisor) Unpublish(service string) []protocol.PublishedPort {
	return s.ports.Unpublish(service)
}

// BeginProxy implements api.Backend: only a ready VM takes agent requests,
// and each one counts as activity for the TTL while it runs.
func (s *Supervisor) BeginProxy() (api.Upstream, func(), error) {
	if p := s.phase(); p != protocol.PhaseReady {
		return nil, nil, protocol.Errorf(protocol.ErrVMNotRunning, "VM %q is %s", s.cfg.VM.VMID, p)
	}
	end := s.idle.Begin()
	s.persistSoon()
	return s.agent, func() { end(); s.persistSoon() }, nil
}
