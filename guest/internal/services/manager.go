package services

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
	"github.com/pyro-mcp/pyro/guest/internal/execproc"
	"github.com/pyro-mcp/pyro/guest/internal/procgroup"
	"github.com/pyro-mcp/pyro/guest/internal/reaper"
	"github.com/pyro-mcp/pyro/guest/internal/redact"
	"github.com/pyro-mcp/pyro/guest/internal/registry"
)

// DefaultDir holds one directory of logs per service (a tmpfs in the guest).
const DefaultDir = "/run/pyro/services"

// killGrace is how long a group killed for a failed start gets between
// SIGTERM and SIGKILL.
const killGrace = 2 * time.Second

// Manager is the table of services by name.
type Manager struct {
	// Cgroups gives each service name its own leaf, service-<name>, for the
	// service, its readiness command and all they start (nil: no cgroups).
	Cgroups *cgroups.Manager

	dir      string
	secrets  redact.Source // redacted from the logs
	services *registry.Table[*Service]
}

// NewManager keeps logs under dir (DefaultDir in the guest; tests use a
// temporary directory) with the values secrets returns redacted (nil:
// none).
func NewManager(dir string, secrets redact.Source) *Manager {
	return &Manager{dir: dir, secrets: secrets, services: registry.New[*Service](ErrNotFound)}
}

// Start runs spec and returns its record once readiness is decided (or ctx
// ends; the service then carries on). A name whose service still runs is
// ErrExists; a finished one is replaced.
func (m *Manager) Start(ctx context.Context, spec Spec) (Info, error) {
	if err := spec.normalize(); err != nil {
		return Info{}, err
	}
	s := newService(spec)
	// Reserved before the slow part.
	old, found, stored := m.services.Reserve(spec.Name, s, (*Service).running)
	if !stored {
		return Info{}, fmt.Errorf("%w: %q", ErrExists, spec.Name)
	}
	if found {
		old.logs.close()   // leftover children of the old one write nowhere
		old.leaf.Release() // they stay in service-<name>, which the new one takes over
	}
	logs, err := openLogs(filepath.Join(m.dir, spec.Name), m.secrets)
	if err != nil {
		m.services.Delete(spec.Name)
		s.exited(-1) // anyone holding s (a racing stop) sees it end
		close(s.launched)
		return Info{}, err
	}
	s.logs = logs
	m.launch(s)
	select {
	case <-s.settled:
		return s.Info(), nil
	case <-ctx.Done():
		return Info{}, ctx.Err()
	}
}

// launch spawns the leader and starts the readiness wait. A start failure
// is reported like exec does (message on stderr, exit 127 or 126) and
// leaves the service failed.
func (m *Manager) launch(s *Service) {
	spec := s.spec
	env := execproc.MergeEnv(execproc.BaseEnv, spec.Env)
	path, err := execproc.LookPath(spec.Argv[0], env)
	if err == nil {
		s.leaf, err = m.Cgroups.Leaf("service-" + spec.Name)
	}
	var status <-chan reaper.Status
	if err == nil {
		cmd := &exec.Cmd{
			Path: path, Args: spec.Argv, Env: env, Dir: spec.Cwd,
			Stdout: s.logs.stdout.pipeW, Stderr: s.logs.stderr.pipeW,
			SysProcAttr: s.procAttr(),
		}
		status, err = reaper.Start(cmd)
		if err == nil {
			s.mu.Lock()
			s.pid, s.started = cmd.Process.Pid, time.Now()
			s.mu.Unlock()
			_ = cmd.Process.Release()
		}
	}
	s.logs.childStarted()
	close(s.launched)
	if err != nil {
		msg, code := execproc.SpawnFailure(spec.Argv[0], err)
		s.logs.stderr.writeLine(msg)
		s.exited(code)
		close(s.settled)
		return
	}
	go s.supervise(status)
	go s.awaitReady()
}

// Get returns the service named name, or ErrNotFound.
func (m *Manager) Get(name string) (*Service, error) {
	return m.services.Get(name)
}

// List returns every record, by name.
func (m *Manager) List() []Info {
	out := registry.Each(m.services, (*Service).Info)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Stop sends SIGTERM to the service's process group and SIGKILL after
// grace if anything of it remains. A service already finished keeps its
// record (leftovers of its group are still signalled).
func (m *Manager) Stop(name string, grace time.Duration) (Info, error) {
	s, err := m.Get(name)
	if err != nil {
		return Info{}, err
	}
	if grace < 0 || grace > MaxGrace {
		return Info{}, invalidf("grace_ms must be 0..%d", MaxGrace.Milliseconds())
	}
	<-s.launched // a stop racing the start acts on the started process
	s.mu.Lock()
	pid, wasRunning := s.pid, s.running()
	if wasRunning {
		s.stopping = true
	}
	s.mu.Unlock()
	if pid > 0 {
		procgroup.Group(pid).Stop(syscall.SIGTERM, grace, s.done)
	}
	// What left the group (setsid daemons) is still in the service's cgroup.
	if s.leaf.Populated() {
		_ = s.leaf.Kill()
		s.leaf.WaitEmpty(killGrace)
	}
	if wasRunning {
		<-s.done // killed above, so the reaper reports it promptly
	}
	return s.Info(), nil
}

// Logs returns the last tail lines of each stream, or all that is kept.
func (m *Manager) Logs(name string, tail int, all bool) (Logs, error) {
	s, err := m.Get(name)
	if err != nil {
		return Logs{}, err
	}
	<-s.launched // s.logs is set by then, or nil if it could not be
	if s.logs == nil {
		return Logs{}, nil
	}
	return s.logs.read(tail, all)
}
