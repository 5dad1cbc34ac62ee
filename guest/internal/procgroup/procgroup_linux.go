package procgroup

import (
	"bytes"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Signal sends sig to t: kill(-pgid) for a group; for a session, to each
// process group found in it (a shell with job control puts every job in a
// group of its own). SIGHUP and SIGTERM are followed by SIGCONT so that
// stopped jobs act on them, as the kernel does for orphaned groups.
func (t Target) Signal(sig syscall.Signal) {
	if t.ID <= 0 { // kill(0) or kill(-1) would reach the agent itself or everything
		return
	}
	groups := map[int]bool{t.ID: true}
	if t.Session {
		for _, p := range t.members() {
			groups[p.pgid] = true
		}
	}
	for g := range groups {
		_ = unix.Kill(-g, sig)
		if sig == unix.SIGHUP || sig == unix.SIGTERM {
			_ = unix.Kill(-g, unix.SIGCONT)
		}
	}
}

type proc struct{ pid, pgid int }

// members scans /proc for live processes of t. Zombies are dead already
// and only wait for the reaper, so they do not count.
func (t Target) members() []proc {
	if t.ID <= 0 { // kernel threads sit in group and session 0
		return nil
	}
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	var out []proc
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		state, pgid, sid, ok := readStat(pid)
		if !ok || state == 'Z' || state == 'X' {
			continue
		}
		if (t.Session && sid == t.ID) || (!t.Session && pgid == t.ID) {
			out = append(out, proc{pid, pgid})
		}
	}
	return out
}

// readStat parses state, pgrp and session from /proc/PID/stat. The command
// name in parentheses may hold spaces or ')', so fields are counted from
// the last ')'.
func readStat(pid int) (state byte, pgid, sid int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, 0, false
	}
	f := bytes.Fields(b[i+1:]) // state ppid pgrp session ...
	if len(f) < 4 || len(f[0]) != 1 {
		return 0, 0, 0, false
	}
	pgid, err1 := strconv.Atoi(string(f[2]))
	sid, err2 := strconv.Atoi(string(f[3]))
	return f[0][0], pgid, sid, err1 == nil && err2 == nil
}
