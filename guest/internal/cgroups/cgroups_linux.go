package cgroups

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Setup mounts the cgroup2 hierarchy on Root (unless it is mounted already),
// reads the machine's memory and task limits from /proc, and builds the
// layout for this process (see New).
func Setup() (*Manager, error) {
	if err := mount(); err != nil {
		return nil, err
	}
	m, err := ReadMachine("/proc")
	if err != nil {
		return nil, err
	}
	mg, err := New(Root, m, os.Getpid())
	if mg != nil {
		// The first exec's leaf is made while the host is still connecting.
		mg.background(mg.refill)
	}
	return mg, err
}

func mount() error {
	var st unix.Statfs_t
	if unix.Statfs(Root, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return nil
	}
	if err := os.MkdirAll(Root, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", Root, err)
	}
	if err := unix.Mount("cgroup2", Root, "cgroup2", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount cgroup2 on %s: %w", Root, err)
	}
	return nil
}

// Apply makes a process started with attr begin life in the leaf (clone3
// with CLONE_INTO_CGROUP, Linux 5.7+), before it runs any code of its own.
// A nil leaf leaves attr unchanged.
func (l *Leaf) Apply(attr *syscall.SysProcAttr) {
	if l == nil || attr == nil {
		return
	}
	attr.UseCgroupFD = true
	attr.CgroupFD = int(l.dir.Fd())
}

func killProcess(pid int) { _ = unix.Kill(pid, unix.SIGKILL) }
