package procgroup

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/reaper"
)

// start runs script as the leader of a new session and process group and
// returns its pid and a channel closed when it has been reaped.
func start(t *testing.T, script string) (int, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	status, err := reaper.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { <-status; close(done) }()
	pid := cmd.Process.Pid
	t.Cleanup(func() { Group(pid).Signal(syscall.SIGKILL) })
	// Wait for the children to exist, so Stop has a group to act on.
	for deadline := time.Now().Add(5 * time.Second); len(Group(pid).members()) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("group of %d never had its children", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return pid, done
}

func TestStop(t *testing.T) {
	tests := []struct {
		name       string
		script     string
		target     func(pid int) Target
		sig        syscall.Signal
		wantKilled bool
		maxElapsed time.Duration
	}{
		{"group obeys TERM", "sleep 100 & sleep 100", Group, syscall.SIGTERM, false, time.Second},
		{"group ignores TERM", "trap '' TERM; sleep 100 & sleep 100", Group, syscall.SIGTERM, true, 3 * time.Second},
		{"session obeys HUP", "sleep 100 & sleep 100", SessionOf, syscall.SIGHUP, false, time.Second},
		// set -m puts the inner sleep in a group of its own: only the
		// session scan reaches it.
		{"session: every group", "trap '' HUP; (set -m; sleep 100 & wait) & sleep 100", SessionOf, syscall.SIGHUP, true, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pid, done := start(t, tt.script)
			target := tt.target(pid)
			if !target.Alive() {
				t.Fatal("not alive before Stop")
			}
			begin := time.Now()
			killed := target.Stop(tt.sig, 300*time.Millisecond, done)
			if elapsed := time.Since(begin); elapsed > tt.maxElapsed {
				t.Errorf("Stop took %v", elapsed)
			}
			if killed != tt.wantKilled {
				t.Errorf("killed = %v, want %v", killed, tt.wantKilled)
			}
			if target.Alive() {
				t.Errorf("still alive: %v", target.members())
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Error("leader not reaped")
			}
		})
	}
}

// ID 0 would mean "my own group" to kill(2): it must never be signalled.
func TestZeroTargetIsInert(t *testing.T) {
	Group(0).Signal(syscall.SIGTERM) // the test would die if this reached it
	if Group(0).Alive() {
		t.Error("group 0 reported alive")
	}
}
