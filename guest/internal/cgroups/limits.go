package cgroups

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// DefaultMaxPids is the per-leaf pids.max when the VM is large enough;
// smaller VMs get half of the user subtree's cap instead (see Defaults).
const DefaultMaxPids = 4096

const (
	mib = int64(1) << 20

	// The memory kept outside the user subtree, for the agent, the kernel
	// and their page cache: MemTotal/8, at least 32 MiB, at most 256 MiB.
	minMemReserve = 32 * mib
	maxMemReserve = 256 * mib

	// The tasks kept outside the user subtree, for the agent's threads and
	// kernel threads: threads-max/8, at least 64, at most 512.
	minTaskReserve = 64
	maxTaskReserve = 512

	// minUserPids keeps a tiny VM usable: a shell, a pipeline, a compiler.
	minUserPids = 64

	// AgentCPUWeight is the agent's cpu.weight (the maximum; user work has
	// the default 100), so it gets the CPU whenever it wants it.
	AgentCPUWeight = 10000
)

// Machine is what the default limits derive from.
type Machine struct {
	MemTotal   int64 // bytes: MemTotal of /proc/meminfo (the VM's --mem-mib minus what the kernel keeps)
	ThreadsMax int   // /proc/sys/kernel/threads-max, which the kernel derives from memory (MemTotal/128 KiB)
}

// Limits are the caps in force. Task counts include threads (pids.max
// counts every task); byte values are bytes.
type Limits struct {
	// MaxPids is pids.max of each exec, shell and service leaf. Default
	// min(DefaultMaxPids, UserPidsMax/2): one runaway leaf leaves room in
	// the subtree for the next exec. The host may set it (--max-pids).
	MaxPids int
	// UserPidsMax is pids.max of the user subtree: threads-max minus
	// clamp(threads-max/8, 64, 512), at least 64, so user work can never
	// take the last tasks the agent and the kernel need.
	UserPidsMax int
	// UserMemoryMax is memory.max of the user subtree and of each leaf:
	// MemTotal minus clamp(MemTotal/8, 32 MiB, 256 MiB).
	UserMemoryMax int64
	// AgentMemoryMin is memory.min of the agent's cgroup: half the reserve
	// above, so reclaim never takes the agent's own memory.
	AgentMemoryMin int64
}

// Defaults derives the limits from m. maxPids > 0 replaces the per-leaf
// default (the host's --max-pids); it is used as given, even above
// UserPidsMax (the subtree cap then binds first).
func Defaults(m Machine, maxPids int) Limits {
	reserve := clamp(m.MemTotal/8, minMemReserve, maxMemReserve)
	if reserve > m.MemTotal/2 {
		reserve = m.MemTotal / 2
	}
	tasks := int(clamp(int64(m.ThreadsMax/8), minTaskReserve, maxTaskReserve))
	l := Limits{
		UserPidsMax:    max(m.ThreadsMax-tasks, minUserPids),
		UserMemoryMax:  m.MemTotal - reserve,
		AgentMemoryMin: reserve / 2,
	}
	l.MaxPids = min(DefaultMaxPids, max(l.UserPidsMax/2, 1))
	if maxPids > 0 {
		l.MaxPids = maxPids
	}
	return l
}

func clamp(v, lo, hi int64) int64 {
	return max(lo, min(v, hi))
}

// ReadMachine reads MemTotal and threads-max from procfs under proc
// ("/proc" in the guest).
func ReadMachine(proc string) (Machine, error) {
	var m Machine
	b, err := os.ReadFile(proc + "/meminfo")
	if err != nil {
		return m, fmt.Errorf("read meminfo: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text()) // "MemTotal:  996756 kB"
		if len(f) == 3 && f[0] == "MemTotal:" && f[2] == "kB" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return m, fmt.Errorf("meminfo MemTotal %q: %w", f[1], err)
			}
			m.MemTotal = kb << 10
		}
	}
	if m.MemTotal <= 0 {
		return m, fmt.Errorf("meminfo: no MemTotal line in %s/meminfo", proc)
	}
	t, err := readInt(proc + "/sys/kernel/threads-max")
	if err != nil {
		return m, err
	}
	m.ThreadsMax = int(t)
	return m, nil
}
