package cgroups

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fakeFS imitates cgroupfs in a temporary directory: mkdir creates the
// interface files of the controllers the parent enabled, rmdir refuses a
// cgroup with processes or children (EBUSY), and cgroup.kill exists only
// when noKill is false (it appeared in Linux 5.14).
type fakeFS struct {
	t      *testing.T
	root   string
	noKill bool
}

// newFake makes a root cgroup whose cgroup.controllers lists has.
func newFake(t *testing.T, has string, noKill bool) *fakeFS {
	t.Helper()
	f := &fakeFS{t: t, root: t.TempDir(), noKill: noKill}
	f.write("cgroup.controllers", has)
	f.write("cgroup.subtree_control", "")
	f.write("cgroup.procs", "1\n2\n")
	return f
}

func (f *fakeFS) dirs() dirOps { return dirOps{mkdir: f.mkdir, rmdir: f.rmdir} }

func (f *fakeFS) mkdir(path string) error {
	if err := os.Mkdir(path, 0o755); err != nil {
		return err
	}
	parent, err := os.ReadFile(filepath.Join(filepath.Dir(path), "cgroup.subtree_control"))
	if err != nil {
		return err
	}
	has := strings.ReplaceAll(string(parent), "+", "")
	files := map[string]string{
		"cgroup.controllers": has, "cgroup.subtree_control": "", "cgroup.procs": "",
		"cgroup.events": "populated 0\nfrozen 0\n",
	}
	if !f.noKill {
		files["cgroup.kill"] = ""
	}
	for _, c := range strings.Fields(has) {
		switch c {
		case "pids":
			files["pids.max"], files["pids.current"] = "max\n", "0\n"
		case "memory":
			files["memory.max"], files["memory.min"], files["memory.current"] = "max\n", "0\n", "0\n"
			files["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"
		case "cpu":
			files["cpu.weight"] = "100\n"
		}
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(path, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeFS) rmdir(path string) error {
	procs, _ := os.ReadFile(filepath.Join(path, "cgroup.procs"))
	entries, _ := os.ReadDir(path)
	for _, e := range entries {
		if e.IsDir() {
			return &os.PathError{Op: "rmdir", Path: path, Err: syscall.EBUSY}
		}
	}
	if strings.TrimSpace(string(procs)) != "" {
		return &os.PathError{Op: "rmdir", Path: path, Err: syscall.EBUSY}
	}
	return os.RemoveAll(path)
}

// path is a file or directory below the fake root.
func (f *fakeFS) path(rel string) string { return filepath.Join(f.root, rel) }

func (f *fakeFS) write(rel, content string) {
	f.t.Helper()
	if err := os.WriteFile(f.path(rel), []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fakeFS) read(rel string) string {
	f.t.Helper()
	b, err := os.ReadFile(f.path(rel))
	if err != nil {
		f.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func (f *fakeFS) exists(rel string) bool {
	_, err := os.Stat(f.path(rel))
	return err == nil
}

// machine1G is a guest with --mem-mib 1024 as Debian's cloud kernel sees it.
var machine1G = Machine{MemTotal: 996756 << 10, ThreadsMax: 7654}

// manager builds a manager on the fake; a controller the fake lacks is
// reported but not fatal (TestNewLayout checks those errors).
func (f *fakeFS) manager(t *testing.T) *Manager {
	t.Helper()
	m, err := newManager(f.root, machine1G, 1, f.dirs())
	if m == nil {
		t.Fatal(err)
	}
	m.background = func(func()) {} // no spare leaf unless a test makes one
	return m
}
