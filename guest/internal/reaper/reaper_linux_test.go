package reaper

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartDeliversStatus(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   Status
	}{
		{"exit 0", "exit 0", Status{Exited: true, Code: 0}},
		{"exit 3", "exit 3", Status{Exited: true, Code: 3}},
		{"killed", "kill -KILL $$", Status{Signal: syscall.SIGKILL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := Start(exec.Command("/bin/sh", "-c", tt.script))
			if err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-ch:
				if got != tt.want {
					t.Errorf("got %+v, want %+v", got, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no status")
			}
		})
	}
}

// An orphan (here a backgrounded grandchild) is adopted and reaped rather
// than left as a zombie, as PID 1 must do for the whole guest.
func TestOrphanIsReaped(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", "sleep 0.1 & echo $!")
	cmd.Stdout = w
	ch, err := Start(cmd)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	<-ch
	orphan, _ := strconv.Atoi(strings.TrimSpace(line))
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if _, err := os.Stat("/proc/" + strconv.Itoa(orphan)); os.IsNotExist(err) {
			return // reaped: a zombie would keep its /proc entry
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("orphan %d was not reaped", orphan)
}

// A failed start must release the lock and register nothing.
func TestStartFailure(t *testing.T) {
	if _, err := Start(exec.Command("/nonexistent/pyro")); err == nil {
		t.Fatal("want an error")
	}
	ch, err := Start(exec.Command("/bin/true"))
	if err != nil {
		t.Fatal(err)
	}
	if st := <-ch; !st.Exited || st.Code != 0 {
		t.Errorf("got %+v", st)
	}
}
