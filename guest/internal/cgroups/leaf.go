package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// pollEvery paces WaitEmpty.
const pollEvery = 10 * time.Millisecond

// killPid sends SIGKILL to one process; tests replace it.
var killPid = killProcess

// killRounds bounds the fallback kill loop for kernels without cgroup.kill
// (before 5.14): each round signals every listed process once more, so
// children forked while we signalled are caught too.
const killRounds = 20

// Leaf is one exec's, shell's or service's cgroup, held open from its
// creation until Release.
type Leaf struct {
	m       *Manager
	name    string
	path    string
	dir     *os.File // directory descriptor for CLONE_INTO_CGROUP
	release sync.Once
}

// ExecLeaf hands out the spare exec-<n> leaf made ahead of time, or makes
// one now, and starts making the next spare in the background: creating a
// leaf (mkdir and two limit writes) takes milliseconds under emulation, and
// an exec should not wait for it.
func (m *Manager) ExecLeaf() (*Leaf, error) {
	if m == nil {
		return nil, nil
	}
	m.mu.Lock()
	l := m.spare
	m.spare = nil
	m.mu.Unlock()
	if l == nil {
		m.Sweep()
		var err error
		if l, err = m.newExecLeaf(); err != nil {
			return nil, err
		}
	}
	m.background(m.refill)
	return l, nil
}

// refill first removes the empty leaves nobody holds (what earlier execs
// left once their background processes ended), then makes the spare exec
// leaf when there is none. One refill runs at a time.
func (m *Manager) refill() {
	m.mu.Lock()
	if m.refilling || m.spare != nil {
		m.mu.Unlock()
		return
	}
	m.refilling = true
	m.mu.Unlock()
	m.Sweep()
	l, err := m.newExecLeaf()
	m.mu.Lock()
	m.refilling = false
	keep := err == nil && m.spare == nil
	if keep {
		m.spare = l
	}
	m.mu.Unlock()
	if err == nil && !keep {
		l.Release()
	}
}

// newExecLeaf creates the next exec-<n>.
func (m *Manager) newExecLeaf() (*Leaf, error) {
	m.mu.Lock()
	m.seq++
	name := fmt.Sprintf("exec-%d", m.seq)
	m.mu.Unlock()
	return m.Leaf(name)
}

// Leaf creates the leaf name under the user subtree, or takes the existing
// one (a service started again under its name), sets its limits and holds
// it until Release. name must look like exec-3, shell-ID or service-NAME.
func (m *Manager) Leaf(name string) (*Leaf, error) {
	if m == nil {
		return nil, nil
	}
	if !leafName.MatchString(name) {
		return nil, fmt.Errorf("cgroup leaf name %q: want exec-, shell- or service- and a name", name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	path := filepath.Join(m.user, name)
	if err := m.mkdir(path); err != nil {
		return nil, err
	}
	if err := m.applyLeaf(path, m.limits); err != nil {
		if m.active[name] == 0 {
			_ = m.dirs.rmdir(path)
		}
		return nil, err
	}
	dir, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	m.active[name]++
	return &Leaf{m: m, name: name, path: path, dir: dir}, nil
}

// Sweep removes every empty leaf that nobody holds. A leaf that still has
// processes (background work an exec left behind) is kept: rmdir refuses it.
func (m *Manager) Sweep() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range m.leaves() {
		if m.active[name] == 0 {
			_ = m.dirs.rmdir(filepath.Join(m.user, name))
		}
	}
}

// Name is the leaf's directory name ("" for nil).
func (l *Leaf) Name() string {
	if l == nil {
		return ""
	}
	return l.name
}

// Path is the leaf's directory ("" for nil).
func (l *Leaf) Path() string {
	if l == nil {
		return ""
	}
	return l.path
}

// Kill sends SIGKILL to every process in the leaf, including those that
// left their process group or session, and those forked meanwhile. It
// writes cgroup.kill (Linux 5.14+); without it, it signals the listed
// processes until none is left or killRounds have passed.
func (l *Leaf) Kill() error {
	if l == nil {
		return nil
	}
	err := writeFile(filepath.Join(l.path, "cgroup.kill"), "1")
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	procs := filepath.Join(l.path, "cgroup.procs")
	for range killRounds {
		pids, err := readPids(procs)
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		for _, pid := range pids {
			killPid(pid)
		}
		time.Sleep(pollEvery)
	}
	return nil
}

// Populated reports whether any live process is in the leaf (zombies do
// not count). An unreadable leaf counts as empty.
func (l *Leaf) Populated() bool {
	if l == nil {
		return false
	}
	n, err := readKeyed(filepath.Join(l.path, "cgroup.events"), "populated")
	return err == nil && n != 0
}

// WaitEmpty waits up to timeout for the leaf to have no live process and
// reports whether it got there.
func (l *Leaf) WaitEmpty(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for l.Populated() {
		if !time.Now().Before(deadline) {
			return false
		}
		time.Sleep(pollEvery)
	}
	return true
}

// OOMKills is how many processes of the leaf the kernel's OOM killer
// ended (memory.events oom_kill); 0 when unknown.
func (l *Leaf) OOMKills() int64 {
	if l == nil {
		return 0
	}
	n, err := readKeyed(filepath.Join(l.path, "memory.events"), "oom_kill")
	if err != nil {
		return 0
	}
	return n
}

// Release lets go of the leaf and removes it when it is empty; one that
// still has processes stays until a later Sweep finds it empty. Only the
// first call counts.
func (l *Leaf) Release() {
	if l == nil {
		return
	}
	l.release.Do(func() {
		_ = l.dir.Close()
		m := l.m
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.active[l.name]--; m.active[l.name] <= 0 {
			delete(m.active, l.name)
			_ = m.dirs.rmdir(l.path)
		}
	})
}
