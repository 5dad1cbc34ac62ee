package cgroups

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// New enables what the kernel has, moves the agent out of the user
// subtree, protects it, and caps the subtree.
func TestNewLayout(t *testing.T) {
	tests := []struct {
		name    string
		has     string
		files   map[string]string // relative path -> content; "-" = must not exist
		wantErr string            // substring of the joined error, "" = none
	}{
		{
			name: "every controller",
			has:  "cpuset cpu io memory hugetlb pids rdma misc",
			files: map[string]string{
				"cgroup.subtree_control":           "+cpu +memory +pids",
				"pyro-agent/cgroup.procs":          "1",
				"pyro-agent/cpu.weight":            "10000",
				"pyro-agent/memory.min":            "63792384",
				"pyro-user/cgroup.subtree_control": "+cpu +memory +pids",
				"pyro-user/pids.max":               "7142",
				"pyro-user/memory.max":             "893093376",
			},
		},
		{
			name: "no cpu controller: no weight, the rest still capped",
			has:  "memory pids",
			files: map[string]string{
				"cgroup.subtree_control":           "+memory +pids",
				"pyro-agent/cpu.weight":            "-",
				"pyro-agent/memory.min":            "63792384",
				"pyro-user/cgroup.subtree_control": "+memory +pids",
				"pyro-user/pids.max":               "7142",
			},
			wantErr: "controller cpu: not available",
		},
		{
			name: "no controllers at all: the layout still exists, unlimited",
			has:  "",
			files: map[string]string{
				"pyro-agent/cgroup.procs": "1",
				"pyro-user/pids.max":      "-",
				"pyro-user/memory.max":    "-",
			},
			wantErr: "controller pids: not available",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.has, false)
			m, err := newManager(f.root, machine1G, 1, f.dirs())
			if m == nil {
				t.Fatalf("no manager: %v", err)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			for rel, want := range tt.files {
				if want == "-" {
					if f.exists(rel) {
						t.Errorf("%s exists", rel)
					}
				} else if got := f.read(rel); got != want {
					t.Errorf("%s = %q, want %q", rel, got, want)
				}
			}
		})
	}
}

func TestNewWithoutHierarchy(t *testing.T) {
	m, err := newManager(t.TempDir(), machine1G, 1, realDirs)
	if m != nil || err == nil {
		t.Errorf("got %v, %v; want no manager and an error", m, err)
	}
}

// Leaves get the per-leaf caps, are removed when released empty, and stay
// while processes remain until a later sweep finds them empty.
func TestLeafLifecycle(t *testing.T) {
	f := newFake(t, "cpu memory pids", false)
	m := f.manager(t)

	e1, err := m.ExecLeaf()
	must(t, err)
	if e1.Name() != "exec-1" || f.read("pyro-user/exec-1/pids.max") != "3571" ||
		f.read("pyro-user/exec-1/memory.max") != "893093376" {
		t.Fatalf("leaf %q: pids.max %s memory.max %s", e1.Name(),
			f.read("pyro-user/exec-1/pids.max"), f.read("pyro-user/exec-1/memory.max"))
	}
	// exec-1 leaves a background process behind; exec-2 runs to its end.
	f.write("pyro-user/exec-1/cgroup.procs", "42\n")
	e1.Release()
	e2, err := m.ExecLeaf()
	must(t, err)
	e2.Release()
	steps := []struct {
		name           string
		exec1, exec2   bool
		afterSweepStep func()
	}{
		{"populated exec-1 kept, empty exec-2 removed at release", true, false, nil},
		{"a sweep keeps exec-1 while its process lives", true, false, func() { m.Sweep() }},
		{"the next exec sweeps exec-1 once it is empty", false, false, func() {
			f.write("pyro-user/exec-1/cgroup.procs", "")
			e3, err := m.ExecLeaf()
			must(t, err)
			if e3.Name() != "exec-3" {
				t.Errorf("third leaf %q", e3.Name())
			}
			e3.Release()
		}},
	}
	for _, s := range steps {
		if s.afterSweepStep != nil {
			s.afterSweepStep()
		}
		if f.exists("pyro-user/exec-1") != s.exec1 || f.exists("pyro-user/exec-2") != s.exec2 {
			t.Errorf("%s: exec-1 %v exec-2 %v", s.name, f.exists("pyro-user/exec-1"), f.exists("pyro-user/exec-2"))
		}
	}
}

// The spare leaf made after an exec is the next exec's, with the limits in
// force when it is taken (SetMaxPids reaches it too), and the refill sweeps
// what earlier execs left empty.
func TestSpareExecLeaf(t *testing.T) {
	f := newFake(t, "memory pids", false)
	m := f.manager(t)
	m.background = func(run func()) { run() }

	e1, err := m.ExecLeaf() // no spare yet: made now, then exec-2 as the spare
	must(t, err)
	if e1.Name() != "exec-1" || !f.exists("pyro-user/exec-2") {
		t.Fatalf("first leaf %q, spare made: %v", e1.Name(), f.exists("pyro-user/exec-2"))
	}
	e1.Release()
	if _, err := m.SetMaxPids(64); err != nil {
		t.Fatal(err)
	}
	e2, err := m.ExecLeaf()
	must(t, err)
	if e2.Name() != "exec-2" || f.read("pyro-user/exec-2/pids.max") != "64" {
		t.Errorf("second leaf %q pids.max %s, want the spare exec-2 with 64",
			e2.Name(), f.read("pyro-user/exec-2/pids.max"))
	}
	if !f.exists("pyro-user/exec-3") || f.exists("pyro-user/exec-1") {
		t.Errorf("after the second exec: spare exec-3 %v, released exec-1 still there %v",
			f.exists("pyro-user/exec-3"), f.exists("pyro-user/exec-1"))
	}
	e2.Release()
}

// A held leaf is never swept, even when empty; a service leaf is reused.
func TestHeldLeavesSurviveSweeps(t *testing.T) {
	f := newFake(t, "memory pids", false)
	m := f.manager(t)
	svc, err := m.Leaf("service-web")
	must(t, err)
	again, err := m.Leaf("service-web")
	must(t, err)
	m.Sweep()
	svc.Release()
	m.Sweep()
	if !f.exists("pyro-user/service-web") {
		t.Fatal("a held leaf was removed")
	}
	again.Release()
	if f.exists("pyro-user/service-web") {
		t.Error("the last release of an empty leaf did not remove it")
	}
	for _, bad := range []string{"", "exec-", "other-1", "shell-../x", "exec-1/2"} {
		if _, err := m.Leaf(bad); err == nil {
			t.Errorf("Leaf(%q) accepted", bad)
		}
	}
}

func TestKill(t *testing.T) {
	tests := []struct {
		name   string
		noKill bool
		procs  string
		killed []int
	}{
		{"cgroup.kill", false, "7\n8\n", nil},
		{"before 5.14: each listed process, until none is left", true, "7\n8\n", []int{7, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, "pids", tt.noKill)
			m := f.manager(t)
			leaf, err := m.ExecLeaf()
			must(t, err)
			f.write("pyro-user/exec-1/cgroup.procs", tt.procs)
			var mu sync.Mutex
			var killed []int
			killPid = func(pid int) { // the fake kernel: the process leaves at once
				mu.Lock()
				defer mu.Unlock()
				killed = append(killed, pid)
				left := strings.ReplaceAll(f.read("pyro-user/exec-1/cgroup.procs")+"\n", strconv.Itoa(pid)+"\n", "")
				f.write("pyro-user/exec-1/cgroup.procs", left)
			}
			defer func() { killPid = killProcess }()
			must(t, leaf.Kill())
			if !tt.noKill && f.read("pyro-user/exec-1/cgroup.kill") != "1" {
				t.Error("cgroup.kill not written")
			}
			if !slices.Equal(killed, tt.killed) {
				t.Errorf("killed %v, want %v", killed, tt.killed)
			}
		})
	}
}

func TestWaitEmptyAndOOMKills(t *testing.T) {
	f := newFake(t, "memory pids", false)
	m := f.manager(t)
	leaf, err := m.ExecLeaf()
	must(t, err)
	f.write("pyro-user/exec-1/cgroup.events", "populated 1\nfrozen 0\n")
	if leaf.WaitEmpty(30 * time.Millisecond) {
		t.Error("a populated leaf counted as empty")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		f.write("pyro-user/exec-1/cgroup.events", "populated 0\nfrozen 0\n")
	}()
	if !leaf.WaitEmpty(5 * time.Second) {
		t.Error("the leaf never became empty")
	}
	f.write("pyro-user/exec-1/memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 2\n")
	if n := leaf.OOMKills(); n != 2 {
		t.Errorf("OOMKills = %d, want 2", n)
	}
}

// SetMaxPids applies to existing leaves and to those created later.
func TestSetMaxPids(t *testing.T) {
	f := newFake(t, "memory pids", false)
	m := f.manager(t)
	shell, err := m.Leaf("shell-sh_0001")
	must(t, err)
	defer shell.Release()
	tests := []struct {
		set      int
		wantLeaf string
	}{
		{100, "100"},
		{0, "3571"}, // back to the default
	}
	for _, tt := range tests {
		l, err := m.SetMaxPids(tt.set)
		must(t, err)
		exec, err := m.ExecLeaf()
		must(t, err)
		if strconv.Itoa(l.MaxPids) != tt.wantLeaf || f.read("pyro-user/shell-sh_0001/pids.max") != tt.wantLeaf ||
			f.read("pyro-user/"+exec.Name()+"/pids.max") != tt.wantLeaf || f.read("pyro-user/pids.max") != "7142" {
			t.Errorf("SetMaxPids(%d): limits %+v, shell %s", tt.set, l, f.read("pyro-user/shell-sh_0001/pids.max"))
		}
		exec.Release()
	}
}

func TestUsage(t *testing.T) {
	f := newFake(t, "memory pids", false)
	m := f.manager(t)
	a, err := m.ExecLeaf()
	must(t, err)
	b, err := m.Leaf("service-web")
	must(t, err)
	defer a.Release()
	defer b.Release()
	f.write("pyro-user/exec-1/cgroup.procs", "10\n11\n12\n")
	f.write("pyro-user/service-web/cgroup.procs", "20\n")
	f.write("pyro-user/pids.current", "9\n") // threads count too
	f.write("pyro-user/memory.current", "1048576\n")
	want := Usage{PidsCurrent: 9, Processes: 4, MemoryCurrent: 1 << 20}
	if got := m.Usage(); got != want {
		t.Errorf("Usage = %+v, want %+v", got, want)
	}
}

// A nil manager (no cgroup v2) confines nothing and never fails.
func TestNilManager(t *testing.T) {
	var m *Manager
	leaf, err := m.ExecLeaf()
	if leaf != nil || err != nil {
		t.Fatalf("ExecLeaf = %v, %v", leaf, err)
	}
	if leaf.Kill() != nil || leaf.Populated() || !leaf.WaitEmpty(0) || leaf.OOMKills() != 0 || leaf.Name() != "" {
		t.Error("nil leaf is not a no-op")
	}
	leaf.Release()
	m.Sweep()
	if l, err := m.SetMaxPids(5); err != nil || l != (Limits{}) || m.Usage() != (Usage{}) {
		t.Error("nil manager is not a no-op")
	}
}
