package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/agent"
	"github.com/pyro-mcp/pyro/host/internal/api"
	"github.com/pyro-mcp/pyro/host/internal/consolelog"
	"github.com/pyro-mcp/pyro/host/internal/owner"
	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/statefile"
	"github.com/pyro-mcp/pyro/host/internal/trace"
)

const (
	// watchInterval is how often the console log size is checked.
	watchInterval = time.Second
	// drainTimeout bounds the wait for in-flight answers once the VM ended.
	drainTimeout = 800 * time.Millisecond
	// tellTimeout bounds the wait, after a boot failure, for the launcher's
	// /v1/ready to collect the reason before the socket goes away.
	tellTimeout = time.Second
	// consoleTailLines and consoleTailChars bound the console excerpt in errors.
	consoleTailLines = 5
	consoleTailChars = 600
)

// Start prepares the VM and spawns its VMM; the guest boots while the rest
// of the supervisor starts. Errors: the driver's (*vmm.UnavailableError,
// protocol.ErrInvalidArgument, spawn errors).
func (s *Supervisor) Start(ctx context.Context) error {
	if err := s.driver.Prepare(s.cfg.VM); err != nil {
		return fmt.Errorf("prepare VM %s: %w", s.cfg.VM.VMID, err)
	}
	s.vmmSpawn = time.Now()
	trace.Mark("vmm_spawn")
	s.consoleAt = consolelog.Size(s.cfg.VM.ConsoleLogPath)
	m, err := s.driver.Start(ctx)
	if err != nil {
		return fmt.Errorf("start VMM: %w", err)
	}
	s.machine = m
	s.agent = agent.New(m.DialAgent)
	pid := m.PID()
	s.update(func(st *protocol.State) { st.VMMPID = &pid })
	s.log.Info("vmm_started", "vmm_pid", pid, "accel", s.cfg.VM.Accel, "driver", s.driver.Name())
	trace.Mark("vmm_started", "vmm_pid", pid)
	return nil
}

// Listen opens the API socket (0600; a stale one of a crashed predecessor
// is replaced), writes the pid file and the first state record.
// Errors name the path.
func (s *Supervisor) Listen() error {
	path := s.cfg.SocketPath
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	s.listener = ln
	// net/http's own complaints go to sv.log as JSON lines too, never as bare text.
	s.server = &http.Server{Handler: api.New(s, s.log), ErrorLog: log.New(logWriter{s.log}, "", 0)}
	if err := statefile.Write(s.cfg.PidPath, fmt.Appendf(nil, "%d\n", os.Getpid())); err != nil {
		ln.Close()
		return err
	}
	s.persist()
	trace.Mark("listening")
	return nil
}

// Run serves the API, waits for the guest agent, and returns once the VMM
// has exited and the final state is recorded (and, for a one-shot VM whose
// owner died, its directory removed).
func (s *Supervisor) Run() {
	go func() { _ = s.server.Serve(s.listener) }()
	go s.writer()
	if s.cfg.OwnerPID != nil {
		stop := owner.Watch(*s.cfg.OwnerPID, s.onOwnerGone)
		defer stop()
	}
	go s.watchConsole()
	s.boot()
	<-s.machine.Done()
	s.finish()
}

// boot waits for the agent to answer /v1/info, bounded by the boot timeout,
// the VMM's exit and any stop request, and records ready or failed.
func (s *Supervisor) boot() {
	defer close(s.settled)
	code, timeoutMs := protocol.CodeBootFailed, s.cfg.BootTimeoutMs
	if s.restoring() {
		code = protocol.CodeRestoreFailed
		if s.cfg.RestoreTimeoutMs > 0 {
			timeoutMs = s.cfg.RestoreTimeoutMs
		}
	}
	timeout := time.Duration(timeoutMs)*time.Millisecond - time.Since(s.vmmSpawn)
	ctx, cancel := context.WithTimeoutCause(context.Background(), timeout,
		protocol.Codef(code, "guest agent did not answer within %d ms", timeoutMs))
	defer cancel()
	ctx, cancelCause := context.WithCancelCause(ctx)
	defer cancelCause(nil)
	go func() {
		select {
		case <-s.machine.Done():
			exit := s.machine.Exit()
			cancelCause(protocol.Codef(code, "VMM %s during boot%s%s",
				exit.Describe(), stderrPart(exit.Stderr), s.consolePart()))
		case <-s.stopReq:
			cancelCause(errStopped)
		case <-ctx.Done():
		}
	}()
	info, err := s.awaitAgent(ctx)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			err = cause
		}
		if errors.Is(err, errStopped) || s.stopRequested() {
			return // the stop request decides the end
		}
		body := protocol.Body(err)
		if body.Code == protocol.CodeInternal || errors.Is(err, protocol.ErrGuestUnreachable) || s.restoring() {
			body.Code = code
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// A guest that never answered usually said why on its console
			// (e.g. "pyro-agent: initramfs: the root disk could not be mounted").
			body.Message += s.consolePart()
		}
		s.update(func(st *protocol.State) { st.State, st.Error = protocol.PhaseFailed, &body })
		s.log.Error("boot_failed", "code", body.Code, "message", body.Message)
		s.machine.Kill()
		return
	}
	bootMs := time.Since(s.vmmSpawn).Milliseconds()
	s.mu.Lock()
	if s.state.State == protocol.PhaseBooting {
		s.state.State = protocol.PhaseReady
		s.state.BootMs, s.state.AgentVersion = &bootMs, &info.AgentVersion
		ready := protocol.Timestamp(time.Now())
		s.state.ReadyAt = &ready
	}
	s.mu.Unlock()
	s.log.Info("ready", "boot_ms", bootMs, "agent_version", info.AgentVersion, "restored", s.restoring())
	trace.Mark("agent_ready", "boot_ms", bootMs)
	s.idle.Touch()
	s.persist()
}

var errStopped = errors.New("stopped during boot")

// watchConsole caps the console log once per watchInterval until the VM ends.
func (s *Supervisor) watchConsole() {
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for {
		select {
		case <-s.final:
			return
		case now := <-t.C:
			if cut, err := consolelog.Cap(s.cfg.VM.ConsoleLogPath, consolelog.CapBytes, now); cut {
				s.log.Info("console_log_truncated", "cap_bytes", consolelog.CapBytes)
			} else if err != nil {
				s.log.Error("console_log_cap_failed", "error", err.Error())
			}
		}
	}
}

// finish records how the VM ended, closes everything and removes the run
// files. A VMM that died while the VM was ready, with no stop request, is a
// crash: state failed, error vmm_crashed with the reason and console tail.
func (s *Supervisor) finish() {
	exit := s.machine.Exit()
	s.idle.Stop()
	s.ports.CloseAll()
	s.agent.Close()
	var crash *protocol.ErrorBody
	s.mu.Lock()
	switch {
	case s.state.State == protocol.PhaseReady && !s.stopRequested():
		crash = &protocol.ErrorBody{Code: protocol.CodeVMMCrashed, Message: s.crashMessage()}
		s.state.State, s.state.Error = protocol.PhaseFailed, crash
	case s.state.State != protocol.PhaseExpired && s.state.State != protocol.PhaseFailed:
		s.state.State = protocol.PhaseExited
	}
	s.state.Exit = &protocol.Exit{Code: exit.Code, At: protocol.Timestamp(exit.At)}
	if exit.Signal != "" {
		sig := exit.Signal
		s.state.Exit.Signal = &sig
	}
	s.mu.Unlock()
	if crash != nil {
		s.log.Error("vmm_crashed", "message", crash.Message)
	}
	s.log.Info("vmm_exited", "code", exit.Code, "signal", exit.Signal, "reason", exit.Reason)
	trace.Mark("vmm_exited")
	s.persist()
	_ = os.Remove(s.cfg.PidPath)
	close(s.final) // shutdown requests answer now
	if st := s.phase(); st == protocol.PhaseFailed && crash == nil {
		select { // a boot failure: let the launcher's /v1/ready read why
		case <-s.told:
		case <-time.After(tellTimeout):
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	_ = s.server.Shutdown(ctx) // in-flight answers drain, but a stuck client never holds us
	cancel()
	_ = s.server.Close()
	_ = os.Remove(s.cfg.SocketPath)
	if s.ownerGone.Load() {
		dir := filepath.Dir(s.cfg.VM.RunDir)
		if err := os.RemoveAll(dir); err != nil {
			s.log.Error("remove_failed", "path", dir, "error", err.Error())
		}
	}
}

// crashMessage says how the VMM died, with the last console lines.
func (s *Supervisor) crashMessage() string {
	exit := s.machine.Exit()
	return fmt.Sprintf("VMM %s without a stop request%s%s", exit.Describe(), stderrPart(exit.Stderr), s.consolePart())
}

// consolePart is "; console: <last lines>", or "" when the log is empty.
func (s *Supervisor) consolePart() string {
	if tail := consolelog.Tail(s.cfg.VM.ConsoleLogPath, s.consoleAt, consoleTailLines, consoleTailChars); tail != "" {
		return "; console: " + tail
	}
	return ""
}

// stderrPart is "; stderr: <VMM stderr tail>", or "".
func stderrPart(stderr string) string {
	stderr = strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(stderr), "\n", " | ")), " ")
	if stderr == "" {
		return ""
	}
	if len(stderr) > consoleTailChars {
		stderr = stderr[len(stderr)-consoleTailChars:]
	}
	return "; stderr: " + stderr
}

// logWriter turns net/http's text log lines into "http_server" events.
type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Error("http_server", "text", strings.TrimSpace(string(p)))
	return len(p), nil
}
