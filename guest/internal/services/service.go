package services

import (
	"sync"
	"syscall"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
	"github.com/pyro-mcp/pyro/guest/internal/reaper"
)

// States and stop reasons of a service record.
const (
	StateStarting = "starting"
	StateReady    = "ready"
	StateFailed   = "failed"
	StateStopped  = "stopped"
	StateExited   = "exited"

	ReasonReadinessTimeout  = "readiness_timeout"
	ReasonExitedBeforeReady = "exited_before_ready"
	ReasonExited            = "exited"
	ReasonStopped           = "stopped"
)

// Service is one started spec. Every state change happens under mu, so
// the probe loop, the exit of the process and a stop cannot disagree.
type Service struct {
	spec     Spec
	logs     *logSet
	leaf     *cgroups.Leaf // service-<name>, set before launched is closed (nil: none)
	launched chan struct{} // closed once the spawn has succeeded or failed
	done     chan struct{} // closed once the leader has been reaped
	settled  chan struct{} // closed once the start is decided (POST answers)

	mu         sync.Mutex
	state      string
	pid        int
	started    time.Time
	readyAt    time.Time
	ended      time.Time
	exitCode   int
	stopReason string
	stopping   bool // a stop was requested while the leader ran
}

// Info is a service record; nil and "" fields are null on the wire.
type Info struct {
	Name       string
	Command    []string
	Cwd        string
	State      string
	Pid        int
	Started    time.Time
	ReadyAt    *time.Time
	Ended      *time.Time
	ExitCode   *int
	Readiness  Readiness
	StopReason string
}

func newService(spec Spec) *Service {
	return &Service{
		spec: spec, state: StateStarting, started: time.Now(),
		launched: make(chan struct{}), done: make(chan struct{}), settled: make(chan struct{}),
	}
}

func (s *Service) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{
		Name: s.spec.Name, Command: s.spec.Argv, Cwd: s.spec.Cwd, State: s.state, Pid: s.pid,
		Started: s.started, Readiness: s.spec.Readiness, StopReason: s.stopReason,
	}
	if !s.readyAt.IsZero() {
		t := s.readyAt
		in.ReadyAt = &t
	}
	if !s.ended.IsZero() {
		t, code := s.ended, s.exitCode
		in.Ended, in.ExitCode = &t, &code
	}
	return in
}

// procAttr starts a process of the service (its leader or a readiness
// command) in a session of its own, inside the service's cgroup.
func (s *Service) procAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setsid: true}
	s.leaf.Apply(attr)
	return attr
}

// running reports whether the leader has not been reaped yet.
func (s *Service) running() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// markReady and markFailed move a starting service on; they report false
// when something else (an exit, a stop) decided first.
func (s *Service) markReady() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != StateStarting || s.stopping {
		return false
	}
	s.state, s.readyAt = StateReady, time.Now()
	return true
}

func (s *Service) markFailed(reason string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != StateStarting || s.stopping {
		return false
	}
	s.state, s.stopReason = StateFailed, reason
	return true
}

// supervise records the leader's exit; the state it leads to depends on
// what the service was doing.
func (s *Service) supervise(status <-chan reaper.Status) {
	st := <-status
	s.exited(st.ExitCode())
}

func (s *Service) exited(code int) {
	s.mu.Lock()
	s.ended, s.exitCode = time.Now(), code
	switch {
	case s.state == StateFailed: // readiness timeout: keep its reason
	case s.stopping:
		s.state, s.stopReason = StateStopped, ReasonStopped
	case s.state == StateStarting:
		s.state, s.stopReason = StateFailed, ReasonExitedBeforeReady
	default:
		s.state, s.stopReason = StateExited, ReasonExited
	}
	s.mu.Unlock()
	close(s.done)
}
