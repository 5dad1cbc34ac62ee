package execproc

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// recorder is a Sink that keeps every chunk; failAfter > 0 makes Output
// fail from that chunk on, like a host that went away.
type recorder struct {
	mu        sync.Mutex
	pid       int
	chunks    []string
	failAfter int
}

func (r *recorder) Started(pid int) error { r.pid = pid; return nil }

func (r *recorder) Output(s Stream, b []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chunks = append(r.chunks, string(s)+":"+string(b))
	if r.failAfter > 0 && len(r.chunks) >= r.failAfter {
		return errors.New("host gone")
	}
	return nil
}

func run(t *testing.T, argv []string, timeout time.Duration, sink Sink) Result {
	t.Helper()
	res, err := Run(context.Background(), Spec{Argv: argv, Env: BaseEnv, Dir: "/", Timeout: timeout}, sink)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A multi-byte rune written in two halves arrives whole, and no chunk
// handed to the sink ends inside a rune.
func TestRunKeepsRunesWhole(t *testing.T) {
	rec := &recorder{}
	res := run(t, []string{"sh", "-c", `printf 'a\342\202'; sleep 0.1; printf '\254b'`}, 0, rec)
	if res.ExitCode != 0 {
		t.Fatalf("exit %+v", res)
	}
	if got := strings.Join(rec.chunks, "|"); got != "stdout:a|stdout:€b" {
		t.Errorf("chunks %q", got)
	}
	for _, c := range rec.chunks {
		if !utf8.ValidString(c) {
			t.Errorf("chunk %q is not valid UTF-8", c)
		}
	}
}

// A truncated rune at EOF is still delivered (as invalid bytes).
func TestRunFlushesPartialRuneAtEOF(t *testing.T) {
	rec := &recorder{}
	run(t, []string{"printf", `x\342`}, 0, rec)
	if got := strings.Join(rec.chunks, "|"); got != "stdout:x|stdout:\xe2" {
		t.Errorf("chunks %q", got)
	}
}

// When the sink fails the group is killed instead of running to the end.
func TestRunKillsWhenSinkFails(t *testing.T) {
	rec := &recorder{failAfter: 1}
	start := time.Now()
	res := run(t, []string{"sh", "-c", "echo one; sleep 30"}, 0, rec)
	if time.Since(start) > 5*time.Second || res.Signal != "KILL" {
		t.Errorf("result %+v after %v, want KILL promptly", res, time.Since(start))
	}
}

func TestRunDuration(t *testing.T) {
	res := run(t, []string{"sleep", "0.2"}, 0, &recorder{})
	if res.Duration < 200*time.Millisecond || res.Duration > 5*time.Second {
		t.Errorf("duration %v", res.Duration)
	}
}
