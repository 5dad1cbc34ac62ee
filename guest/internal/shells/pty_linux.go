package shells

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
	"github.com/pyro-mcp/pyro/guest/internal/reaper"
)

// startPTY runs argv as a session leader whose controlling terminal is a
// new PTY. pty.Start would call cmd.Start itself, racing the reaper for
// wait4, so the pair is opened here and the process started through
// reaper.Start. The shell starts in leaf (nil: no cgroup).
func startPTY(argv, env []string, dir string, cols, rows int, leaf *cgroups.Leaf) (started, error) {
	m, tty, err := pty.Open()
	if err != nil {
		return started{}, fmt.Errorf("open pty: %w", err)
	}
	defer tty.Close() // the child holds its own copies
	master, err := pollable(m)
	if err != nil {
		return started{}, err
	}
	if err := setSize(master, cols, rows); err != nil {
		master.Close()
		return started{}, fmt.Errorf("set pty size: %w", err)
	}
	// Ctty is a descriptor number in the child: 0 is the tty (stdin).
	attr := &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	leaf.Apply(attr)
	cmd := &exec.Cmd{
		Path: argv[0], Args: argv, Env: env, Dir: dir,
		Stdin: tty, Stdout: tty, Stderr: tty,
		SysProcAttr: attr,
	}
	status, err := reaper.Start(cmd)
	if err != nil {
		master.Close()
		return started{}, err
	}
	pid := cmd.Process.Pid
	_ = cmd.Process.Release()
	return started{master: master, pid: pid, status: status}, nil
}

// pollable replaces m with a non-blocking duplicate. pty.Open leaves the
// master in blocking mode (its ioctls go through File.Fd), where a pending
// Read would keep Close from ever completing; a non-blocking descriptor
// goes through Go's poller, so Close interrupts the reader and write
// deadlines work.
func pollable(m *os.File) (*os.File, error) {
	defer m.Close()
	fd, err := unix.FcntlInt(m.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("dup pty master: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("pty master nonblock: %w", err)
	}
	return os.NewFile(uintptr(fd), m.Name()), nil
}

// control runs fn on master's descriptor without File.Fd, which would
// switch it back to blocking mode.
func control(master *os.File, fn func(fd int) error) error {
	rc, err := master.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

func setSize(master *os.File, cols, rows int) error {
	ws := &unix.Winsize{Col: uint16(cols), Row: uint16(rows)}
	return control(master, func(fd int) error { return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, ws) })
}

// foreground is tcgetpgrp on the master: the job that Ctrl-C would reach.
func foreground(master *os.File) (pgid int, err error) {
	err = control(master, func(fd int) error {
		pgid, err = unix.IoctlGetInt(fd, unix.TIOCGPGRP)
		return err
	})
	return pgid, err
}

func killGroup(pgid int, sig syscall.Signal) error { return unix.Kill(-pgid, sig) }
