package owner

import (
	"os/exec"
	"testing"
	"time"
)

func TestWatch(t *testing.T) {
	tests := []struct {
		name     string
		start    func(t *testing.T) (pid int, finish func())
		wantGone bool
	}{
		{"a process that exits", func(t *testing.T) (int, func()) {
			cmd := exec.Command("sleep", "0.2")
			if err := cmd.Start(); err != nil {
				t.Skip(err)
			}
			go cmd.Wait() // reap it, or /proc and the pidfd would see a zombie
			return cmd.Process.Pid, func() {}
		}, true},
		{"a pid that is not running", func(*testing.T) (int, func()) { return 1 << 22, func() {} }, true},
		{"a process that lives", func(t *testing.T) (int, func()) {
			cmd := exec.Command("sleep", "30")
			if err := cmd.Start(); err != nil {
				t.Skip(err)
			}
			return cmd.Process.Pid, func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pid, finish := tt.start(t)
			defer finish()
			gone := make(chan struct{})
			stop := Watch(pid, func() { close(gone) })
			defer stop()
			select {
			case <-gone:
				if !tt.wantGone {
					t.Fatal("reported gone while alive")
				}
			case <-time.After(1500 * time.Millisecond):
				if tt.wantGone {
					t.Fatal("exit not noticed within 1.5 s")
				}
			}
		})
	}
}
