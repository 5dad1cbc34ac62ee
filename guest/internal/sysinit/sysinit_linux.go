package sysinit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

type mount struct {
	source, target, fstype string
	flags                  uintptr
	data                   string
	retryBare              bool // retry without data if the kernel refuses it
}

// mounts in order; /tmp is deliberately left on the root disk so it
// persists with the workspace and does not eat guest RAM.
var mounts = []mount{
	{"proc", "/proc", "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "", false},
	{"sysfs", "/sys", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, "", false},
	{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID, "mode=0755", false},
	// newinstance + ptmxmode: /dev/ptmx works for non-root too; older
	// kernels that refuse the options get the default instance.
	{"devpts", "/dev/pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC,
		"newinstance,ptmxmode=0666,mode=0620,gid=5", true},
	{"tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=1777", false},
	{"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=0755", false},
}

// Mount mounts whatever is not mounted yet (an initramfs or the kernel's
// devtmpfs automount may have done some). It keeps going past failures and
// returns them all.
func Mount() error {
	var errs []error
	for _, m := range mounts {
		if err := m.apply(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m mount) apply() error {
	if err := os.MkdirAll(m.target, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", m.target, err)
	}
	if isMountpoint(m.target) {
		return nil
	}
	err := unix.Mount(m.source, m.target, m.fstype, m.flags, m.data)
	if err != nil && m.retryBare {
		err = unix.Mount(m.source, m.target, m.fstype, m.flags, "")
	}
	if err != nil {
		return fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err)
	}
	return nil
}

// isMountpoint: a mount point sits on another device than its parent.
func isMountpoint(path string) bool {
	var st, parent unix.Stat_t
	if unix.Stat(path, &st) != nil || unix.Stat(filepath.Dir(path), &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev
}

// SetHostname sets the kernel host name to Hostname.
func SetHostname() error {
	if err := unix.Sethostname([]byte(Hostname)); err != nil {
		return fmt.Errorf("sethostname %q: %w", Hostname, err)
	}
	return nil
}

// EnsureConsole gives PID 1 stdin/stdout/stderr on /dev/console when the
// kernel could not (no /dev/console before devtmpfs was mounted).
func EnsureConsole() error {
	if _, err := unix.FcntlInt(1, unix.F_GETFD, 0); err == nil {
		return nil
	}
	fd, err := unix.Open("/dev/console", unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return fmt.Errorf("open /dev/console: %w", err)
	}
	for target := 0; target <= 2; target++ {
		if fd != target {
			_ = unix.Dup3(fd, target, 0)
		}
	}
	if fd > 2 {
		_ = unix.Close(fd)
	}
	return nil
}
