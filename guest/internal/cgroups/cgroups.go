// Package cgroups confines user work in the guest with cgroup v2, so that
// no command (a fork bomb, a memory hog) can take the agent down with it.
// The layout under Root:
//
//	pyro-agent/          the agent (PID 1): memory.min, cpu.weight 10000
//	pyro-user/           all user work: pids.max, memory.max (see Limits)
//	  exec-<n>/          one per exec (n counts from 1 in each boot)
//	  shell-<id>/        one per shell
//	  service-<name>/    one per service name
//
// Every leaf has its own pids.max and memory.max. Processes are created
// directly in their leaf (clone3 with CLONE_INTO_CGROUP, see Leaf.Apply),
// so nothing they do before exec escapes the limits.
//
// A nil *Manager or *Leaf is valid and confines nothing (a kernel without
// cgroup v2, or a test run outside the guest): every method is a no-op.
package cgroups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

const (
	// Root is where the agent mounts the cgroup2 hierarchy.
	Root = "/sys/fs/cgroup"
	// AgentGroup holds the agent itself, outside the user subtree.
	AgentGroup = "pyro-agent"
	// UserGroup is the subtree that holds every user process.
	UserGroup = "pyro-user"
)

// wanted are the controllers the layout uses, enabled where the kernel has them.
var wanted = []string{"cpu", "memory", "pids"}

// leafName is what may follow the user subtree: exec-3, shell-sh_1a2b3c4d, service-web.
var leafName = regexp.MustCompile(`^(exec|shell|service)-[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Manager owns the layout and the leaves. Its methods are safe for
// concurrent use.
type Manager struct {
	root, user string
	dirs       dirOps
	machine    Machine
	enabled    map[string]bool // controllers the leaves have

	mu     sync.Mutex
	limits Limits
	active map[string]int // leaf name -> holders; Sweep leaves these alone
	seq    int
	// spare is the next exec's leaf, made ahead by refill (held, so no
	// Sweep removes it; SetMaxPids updates it like any other leaf).
	spare     *Leaf
	refilling bool
	// background runs refill; tests replace it to decide when it happens.
	background func(func())
}

// New builds the layout under root (a mounted cgroup2 hierarchy), moves
// the process self into AgentGroup and applies Defaults(m, 0). The error
// joins everything that could not be set; the manager is returned whenever
// the user subtree exists (a missing controller only leaves that limit
// unenforced). A nil manager means user work cannot be confined here.
func New(root string, m Machine, self int) (*Manager, error) {
	return newManager(root, m, self, realDirs)
}

func newManager(root string, m Machine, self int, dirs dirOps) (*Manager, error) {
	mg := &Manager{
		root: root, user: filepath.Join(root, UserGroup), dirs: dirs, machine: m,
		limits: Defaults(m, 0), active: map[string]int{},
		background: func(f func()) { go f() },
	}
	var errs []error
	report := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	rootHas, err := controllers(filepath.Join(root, "cgroup.controllers"))
	if err != nil {
		return nil, fmt.Errorf("cgroup2 at %s: %w", root, err)
	}
	_, err = enable(root, rootHas)
	report(err)
	agent := filepath.Join(root, AgentGroup)
	for _, dir := range []string{agent, mg.user} {
		if err := mg.mkdir(dir); err != nil {
			return nil, errors.Join(append(errs, err)...)
		}
	}
	report(writeFile(filepath.Join(agent, "cgroup.procs"), strconv.Itoa(self)))
	agentHas, err := controllers(filepath.Join(agent, "cgroup.controllers"))
	report(err)
	if agentHas["cpu"] {
		report(writeFile(filepath.Join(agent, "cpu.weight"), strconv.Itoa(AgentCPUWeight)))
	}
	if agentHas["memory"] {
		report(writeFile(filepath.Join(agent, "memory.min"), strconv.FormatInt(mg.limits.AgentMemoryMin, 10)))
	}
	userHas, err := controllers(filepath.Join(mg.user, "cgroup.controllers"))
	report(err)
	mg.enabled, err = enable(mg.user, userHas)
	report(err)
	for _, c := range wanted {
		if !userHas[c] {
			report(fmt.Errorf("controller %s: not available in %s", c, mg.user))
		}
	}
	report(mg.applyUser(mg.limits))
	return mg, errors.Join(errs...)
}

// enable turns on the wanted controllers that has lists for dir's
// children: all in one write, else one at a time so that one refusal does
// not cost the others. It returns the ones enabled.
func enable(dir string, has map[string]bool) (map[string]bool, error) {
	var list []string
	for _, c := range wanted {
		if has[c] {
			list = append(list, c)
		}
	}
	on := map[string]bool{}
	if len(list) == 0 {
		return on, nil
	}
	path := filepath.Join(dir, "cgroup.subtree_control")
	if writeFile(path, "+"+strings.Join(list, " +")) == nil {
		for _, c := range list {
			on[c] = true
		}
		return on, nil
	}
	var errs []error
	for _, c := range list {
		if err := writeFile(path, "+"+c); err != nil {
			errs = append(errs, err)
		} else {
			on[c] = true
		}
	}
	return on, errors.Join(errs...)
}

// mkdir creates dir; one left by an earlier run is taken as it is.
func (m *Manager) mkdir(dir string) error {
	if err := m.dirs.mkdir(dir); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("mkdir %s: %w", dir, err)
	}
	return nil
}

// applyUser writes the subtree caps.
func (m *Manager) applyUser(l Limits) error {
	var errs []error
	if m.enabled["pids"] {
		errs = append(errs, writeFile(filepath.Join(m.user, "pids.max"), strconv.Itoa(l.UserPidsMax)))
	}
	if m.enabled["memory"] {
		errs = append(errs, writeFile(filepath.Join(m.user, "memory.max"), strconv.FormatInt(l.UserMemoryMax, 10)))
	}
	return errors.Join(errs...)
}

// applyLeaf writes one leaf's caps.
func (m *Manager) applyLeaf(dir string, l Limits) error {
	if m.enabled["pids"] {
		if err := writeFile(filepath.Join(dir, "pids.max"), strconv.Itoa(l.MaxPids)); err != nil {
			return err
		}
	}
	if m.enabled["memory"] {
		return writeFile(filepath.Join(dir, "memory.max"), strconv.FormatInt(l.UserMemoryMax, 10))
	}
	return nil
}

// Limits returns the limits in force; the zero value for a nil manager.
func (m *Manager) Limits() Limits {
	if m == nil {
		return Limits{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.limits
}

// SetMaxPids sets the per-leaf pids.max (0 = the default) on every
// existing leaf and on those created later, and returns the new limits.
func (m *Manager) SetMaxPids(n int) (Limits, error) {
	if m == nil {
		return Limits{}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limits = Defaults(m.machine, n)
	errs := []error{m.applyUser(m.limits)}
	for _, name := range m.leaves() {
		errs = append(errs, m.applyLeaf(filepath.Join(m.user, name), m.limits))
	}
	return m.limits, errors.Join(errs...)
}

// leaves lists the leaf directories under the user subtree.
func (m *Manager) leaves() []string {
	entries, _ := os.ReadDir(m.user)
	var out []string
	for _, e := range entries {
		if e.IsDir() && leafName.MatchString(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// Usage is what user work takes right now.
type Usage struct {
	PidsCurrent   int64 // pids.current of the user subtree: tasks, threads included; -1 unknown
	Processes     int   // processes in the user subtree (its cgroup.procs files)
	MemoryCurrent int64 // memory.current of the user subtree, bytes; -1 unknown
}

// Usage reads the user subtree's counters; a nil manager reports zeros.
func (m *Manager) Usage() Usage {
	if m == nil {
		return Usage{}
	}
	u := Usage{PidsCurrent: -1, MemoryCurrent: -1}
	if n, err := readInt(filepath.Join(m.user, "pids.current")); err == nil {
		u.PidsCurrent = n
	}
	if n, err := readInt(filepath.Join(m.user, "memory.current")); err == nil {
		u.MemoryCurrent = n
	}
	_ = filepath.WalkDir(m.user, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "cgroup.procs" {
			pids, _ := readPids(path)
			u.Processes += len(pids)
		}
		return nil // a leaf removed while we walk is simply gone
	})
	return u
}
