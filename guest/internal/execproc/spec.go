// Package execproc runs one command for /v1/exec: it spawns the process in
// its own session, streams its output as rune-aligned chunks, enforces the
// timeout on the whole process group and reports how it ended.
package execproc

import (
	"io"
	"sort"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
)

// BaseEnv is the environment every command starts from (protocol v1).
var BaseEnv = []string{
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root",
	"TERM=dumb",
	"LANG=C.UTF-8",
}

// Spec describes one command. Argv must be non-empty.
type Spec struct {
	Argv    []string
	Env     []string      // full environment, "K=V"; see MergeEnv
	Dir     string        // working directory
	Timeout time.Duration // 0 = none
	Stdin   io.Reader     // nil = /dev/null; EOF closes the process's stdin
	// Cgroup is the leaf the process starts in (nil = none). A timeout or a
	// cancel kills everything in it, also what left the process group.
	Cgroup *cgroups.Leaf
}

// Stream names an output pipe.
type Stream string

const (
	Stdout Stream = "stdout"
	Stderr Stream = "stderr"
)

// Sink receives the progress of a run. Output chunks hold whole runes
// unless the process wrote invalid UTF-8. If a method returns an error the
// caller is gone: the process group is killed and the rest discarded.
type Sink interface {
	Started(pid int) error
	Output(s Stream, chunk []byte) error
}

// Result is how the command ended.
type Result struct {
	ExitCode int    // exit code, or 128+N when killed by signal N
	Signal   string // signal name without "SIG" ("KILL"), "" if it exited
	TimedOut bool
	Duration time.Duration // from spawn to exit
}

// MergeEnv returns base with extra applied on top: keys in extra replace
// keys in base, new keys follow in sorted order so the result is stable.
func MergeEnv(base []string, extra map[string]string) []string {
	out := make([]string, 0, len(base)+len(extra))
	for _, kv := range base {
		if _, ok := extra[envKey(kv)]; !ok {
			out = append(out, kv)
		}
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+"="+extra[k])
	}
	return out
}

func envKey(kv string) string {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i]
		}
	}
	return kv
}

// envValue returns the value of key in env ("" if absent); last one wins.
func envValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if envKey(kv) == key && len(kv) > len(key) {
			v = kv[len(key)+1:]
		}
	}
	return v
}
