package secrets

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// MountTmpfs is tried in a private mount namespace on a thread of its own,
// so the host's mounts never change; the thread is discarded afterwards.
func TestMountTmpfs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pyro-secrets")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	skip := make(chan string, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			skip <- "no mount namespace (needs root): " + err.Error()
			return
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			skip <- "cannot make mounts private: " + err.Error()
			return
		}
		for i := 0; i < 2; i++ { // the second call finds it mounted
			if err := MountTmpfs(dir); err != nil {
				t.Errorf("call %d: %v", i+1, err)
			}
		}
		var fs unix.Statfs_t
		if err := unix.Statfs(dir, &fs); err != nil || fs.Type != unix.TMPFS_MAGIC {
			t.Errorf("not a tmpfs: type %#x, %v", fs.Type, err)
		}
		if want := unix.ST_NOSUID | unix.ST_NODEV | unix.ST_NOEXEC; int(fs.Flags)&want != want {
			t.Errorf("flags %#x lack nosuid,nodev,noexec", fs.Flags)
		}
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("mode %v, %v", fi.Mode().Perm(), err)
		}
		// Layered mounts would show up as a second tmpfs entry.
		b, _ := os.ReadFile("/proc/thread-self/mountinfo")
		if n := countMounts(string(b), dir); n != 1 {
			t.Errorf("%d mounts on %s, want 1", n, dir)
		}
		skip <- ""
	}()
	if reason := <-skip; reason != "" {
		t.Skip(reason)
	}
}

func countMounts(mountinfo, dir string) int {
	n := 0
	for _, line := range strings.Split(mountinfo, "\n") {
		fields := strings.Fields(line)
		if len(fields) > 4 && fields[4] == dir {
			n++
		}
	}
	return n
}
