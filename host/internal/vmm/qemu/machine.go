package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
	"github.com/pyro-mcp/pyro/host/internal/vmm/qmp"
)

const (
	// stderrTailBytes is how much of QEMU's stderr is kept for error messages.
	stderrTailBytes = 4096
	// dialRetry is the pause between attempts to reach a socket QEMU has not created yet.
	dialRetry = 10 * time.Millisecond
	// qmpConnectTimeout bounds the wait for QEMU's QMP socket after the spawn.
	qmpConnectTimeout = 30 * time.Second
	// quitGrace is how long `quit` may take before the VMM is killed.
	quitGrace = time.Second
)

// machine is a running QEMU process.
type machine struct {
	vm     protocol.VM
	pid    int
	log    *slog.Logger
	stderr *tail
	done   chan struct{}
	exit   vmm.Exit // written once, before done is closed
	memory *os.File // the RAM's file when mapped privately, for warmMemory; nil otherwise

	mu     sync.Mutex
	qmp    *qmp.Client
	reason string // from the SHUTDOWN event
}

var _ vmm.Machine = (*machine)(nil)

func (m *machine) PID() int              { return m.pid }
func (m *machine) Done() <-chan struct{} { return m.done }
func (m *machine) Exit() vmm.Exit        { <-m.done; return m.exit }

func (m *machine) exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// reap records how QEMU ended once wait delivers its Wait result.
func (m *machine) reap(wait <-chan error, cmd *exec.Cmd) {
	<-wait
	exit := exitOf(cmd.ProcessState)
	exit.At = time.Now()
	exit.Stderr = m.stderr.String()
	m.mu.Lock()
	exit.Reason = m.reason
	if m.qmp != nil {
		m.qmp.Close()
	}
	m.mu.Unlock()
	m.exit = exit
	if m.memory != nil {
		_ = m.memory.Close()
	}
	for _, sock := range []string{m.vm.AgentSocketPath, QMPSocketPath(m.vm)} {
		_ = os.Remove(sock) // a killed QEMU leaves its sockets behind
	}
	close(m.done)
}

// connectQMP dials the QMP socket as soon as QEMU has created it and keeps
// the session for the VM's life, recording the SHUTDOWN reason. Without QMP
// the machine still works; Stop then falls back to signals.
func (m *machine) connectQMP() {
	ctx, cancel := context.WithTimeout(context.Background(), qmpConnectTimeout)
	defer cancel()
	path := QMPSocketPath(m.vm)
	for {
		c, err := qmp.Dial(ctx, path, m.onEvent)
		if err == nil {
			m.mu.Lock()
			m.qmp = c
			m.mu.Unlock()
			if m.exited() {
				c.Close()
			}
			return
		}
		select {
		case <-m.done:
			return
		case <-ctx.Done():
			m.log.Error("qmp_unavailable", "path", path, "error", err.Error())
			return
		case <-time.After(dialRetry):
		}
	}
}

func (m *machine) onEvent(e qmp.Event) {
	if e.Name == "SHUTDOWN" {
		var d qmp.ShutdownData
		_ = json.Unmarshal(e.Data, &d)
		m.mu.Lock()
		m.reason = d.Reason
		m.mu.Unlock()
	}
	m.log.Info("vmm_event", "name", e.Name, "data", string(e.Data))
}

func (m *machine) client() *qmp.Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.qmp
}

// DialAgent implements vmm.Machine: QEMU creates the chardev socket within
// milliseconds of starting; until then the dial is retried.
func (m *machine) DialAgent(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "unix", m.vm.AgentSocketPath)
		if err == nil {
			return conn, nil
		}
		select {
		case <-m.done:
			return nil, fmt.Errorf("QEMU %s before the agent channel opened%s", m.exit.Describe(), stderrSuffix(m.exit.Stderr))
		case <-ctx.Done():
			return nil, fmt.Errorf("agent channel %s: %w", m.vm.AgentSocketPath, ctx.Err())
		case <-time.After(dialRetry):
		}
	}
}

// Status implements vmm.Machine through QMP query-status.
func (m *machine) Status(ctx context.Context) (string, error) {
	if m.exited() {
		return "exited", nil
	}
	c := m.client()
	if c == nil {
		return "", errors.New("qemu: QMP is not connected")
	}
	s, err := c.QueryStatus(ctx)
	return s.Status, err
}

// Stop implements vmm.Machine. The error says why it had to kill; the VMM
// has exited either way.
func (m *machine) Stop(ctx context.Context, graceful bool, timeout time.Duration) (vmm.Exit, error) {
	if graceful {
		if c := m.client(); c != nil && m.vm.DeviceDiscovery == "acpi" {
			_ = c.Execute(ctx, "system_powerdown", nil, nil) // the ACPI power button
		}
		if m.wait(ctx, timeout) {
			return m.exit, nil
		}
	}
	c := m.client()
	if c == nil {
		return m.Kill(), errors.New("qemu: killed (QMP is not connected)")
	}
	qctx, cancel := context.WithTimeout(ctx, quitGrace)
	err := c.Execute(qctx, "quit", nil, nil) // the answer may be lost as QEMU exits
	cancel()
	if m.wait(ctx, quitGrace) {
		return m.exit, nil
	}
	return m.Kill(), fmt.Errorf("qemu: killed after quit did not end it: %w", errors.Join(err, ctx.Err()))
}

// wait reports whether QEMU exited within d.
func (m *machine) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-m.done:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// Kill implements vmm.Machine.
func (m *machine) Kill() vmm.Exit {
	if !m.exited() {
		_ = killProcess(m.pid)
	}
	<-m.done
	return m.exit
}

// stderrSuffix is ": <QEMU's last stderr>", or "" when it wrote nothing.
func stderrSuffix(stderr string) string {
	if s := strings.TrimSpace(stderr); s != "" {
		return ": " + s
	}
	return ""
}
