// Package shells runs interactive PTY sessions that outlive the request
// that opened them: each shell's output is kept in a bounded Buffer read by
// cursor, and input, signals and resizes go to its PTY.
package shells

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
	"github.com/pyro-mcp/pyro/guest/internal/execproc"
	"github.com/pyro-mcp/pyro/guest/internal/procgroup"
	"github.com/pyro-mcp/pyro/guest/internal/redact"
	"github.com/pyro-mcp/pyro/guest/internal/registry"
)

var (
	ErrNotFound    = errors.New("shell not found")
	ErrNotRunning  = errors.New("shell not running")
	ErrInvalid     = errors.New("invalid argument")
	ErrUnsupported = errors.New("shells: not supported on this platform")
)

// Shell programs in order of preference, and the default working directory.
var (
	programs         = []string{"/bin/bash", "/bin/sh"}
	DefaultWorkspace = "/workspace"
)

const (
	defaultCols, defaultRows = 120, 30
	maxDim                   = 1000
	closeGrace               = 2 * time.Second // SIGHUP, then SIGKILL
)

// Options open a shell; zero values take the protocol defaults.
type Options struct {
	Cwd        string
	Cols, Rows int
	Env        map[string]string
}

// Manager is the table of open shells.
type Manager struct {
	// Cgroups gives each shell its own leaf, shell-<id>, held until Close
	// (nil: shells run without cgroups).
	Cgroups *cgroups.Manager

	secrets redact.Source // redacted from every shell's output
	shells  *registry.Table[*Shell]
}

// NewManager redacts the values secrets returns (read at every write, so
// secrets set after a shell opened are covered too); nil redacts nothing.
func NewManager(secrets redact.Source) *Manager {
	return &Manager{secrets: secrets, shells: registry.New[*Shell](ErrNotFound)}
}

// Open starts the shell program as a session leader on a new PTY.
func (m *Manager) Open(o Options) (*Shell, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	prog := programs[len(programs)-1]
	for _, p := range programs {
		if _, err := os.Stat(p); err == nil {
			prog = p
			break
		}
	}
	env := map[string]string{"TERM": "xterm-256color"}
	for k, v := range o.Env {
		env[k] = v
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	s := &Shell{
		ID: id, Cwd: o.Cwd, Started: time.Now(), cols: o.Cols, rows: o.Rows,
		out: newBuffer(BufferSize), exited: make(chan struct{}), drained: make(chan struct{}),
	}
	s.red = redact.NewWriter(s.out, m.secrets, redactIdle)
	if s.leaf, err = m.Cgroups.Leaf("shell-" + id); err != nil {
		return nil, fmt.Errorf("start %s: %w", prog, err)
	}
	p, err := startPTY([]string{prog, "-i"}, execproc.MergeEnv(execproc.BaseEnv, env), o.Cwd, o.Cols, o.Rows, s.leaf)
	if err != nil {
		s.leaf.Release()
		return nil, fmt.Errorf("start %s: %w", prog, err)
	}
	s.Pid, s.master = p.pid, p.master
	go s.pump()
	go s.supervise(p.status)
	m.shells.Put(id, s)
	return s, nil
}

func (o *Options) defaults() error {
	if o.Cwd == "" {
		o.Cwd = "/"
		if fi, err := os.Stat(DefaultWorkspace); err == nil && fi.IsDir() {
			o.Cwd = DefaultWorkspace
		}
	}
	if !filepath.IsAbs(o.Cwd) {
		return fmt.Errorf("%w: cwd %q must be an absolute path", ErrInvalid, o.Cwd)
	}
	if fi, err := os.Stat(o.Cwd); err != nil || !fi.IsDir() {
		return fmt.Errorf("%w: cwd %q is not an existing directory", ErrInvalid, o.Cwd)
	}
	if o.Cols == 0 && o.Rows == 0 {
		o.Cols, o.Rows = defaultCols, defaultRows
	}
	return checkSize(o.Cols, o.Rows)
}

func checkSize(cols, rows int) error {
	if cols < 1 || cols > maxDim || rows < 1 || rows > maxDim {
		return fmt.Errorf("%w: cols and rows must be 1..%d, got %dx%d", ErrInvalid, maxDim, cols, rows)
	}
	return nil
}

// Get returns the shell with id, or ErrNotFound.
func (m *Manager) Get(id string) (*Shell, error) {
	return m.shells.Get(id)
}

// List returns every shell's record, oldest first.
func (m *Manager) List() []Info {
	out := registry.Each(m.shells, (*Shell).Info)
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Started.Equal(out[j].Started) {
			return out[i].Started.Before(out[j].Started)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Close ends the shell's whole session (SIGHUP, SIGKILL after 2 s), closes
// the PTY and forgets the shell. Concurrent closes all wait for the first.
func (m *Manager) Close(id string) (Info, error) {
	s, err := m.Get(id)
	if err != nil {
		return Info{}, err
	}
	s.closeOnce.Do(func() {
		procgroup.SessionOf(s.Pid).Stop(syscall.SIGHUP, closeGrace, s.exited)
		<-s.exited // the session is gone, so the reaper has the shell's status
		_ = s.master.Close()
		s.leaf.Release() // removed now if empty, else by a later sweep
	})
	m.shells.Delete(id)
	return s.Info(), nil
}

func newID() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "sh_" + hex.EncodeToString(b), nil
}
