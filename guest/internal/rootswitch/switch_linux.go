package rootswitch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/sys/unix"
)

// rootDeviceWait bounds the wait for the root disk's device node; the
// virtio drivers probe synchronously at module load, so it is normally there
// at once.
const rootDeviceWait = 10 * time.Second

// InInitramfs reports whether "/" is the kernel's initramfs (ramfs or tmpfs)
// and this process is PID 1, i.e. the root disk is not mounted yet.
func InInitramfs() bool {
	if os.Getpid() != 1 {
		return false
	}
	var st unix.Statfs_t
	if unix.Statfs("/", &st) != nil {
		return false
	}
	return st.Type == unix.RAMFS_MAGIC || st.Type == unix.TMPFS_MAGIC
}

// EarlyMounts mounts /dev, /proc and /sys in the initramfs; they move to
// the real root in Switch.
func EarlyMounts() error {
	for _, m := range []struct{ src, target, fstype string }{
		{"devtmpfs", "/dev", "devtmpfs"},
		{"proc", "/proc", "proc"},
		{"sysfs", "/sys", "sysfs"},
	} {
		if err := os.MkdirAll(m.target, 0o755); err != nil {
			return fmt.Errorf("mkdir %s: %w", m.target, err)
		}
		if err := unix.Mount(m.src, m.target, m.fstype, unix.MS_NOSUID, ""); err != nil && !errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("mount %s on %s: %w", m.fstype, m.target, err)
		}
	}
	return nil
}

// LoadModules loads the modules in ModulesDir, then those of each group the
// kernel command line asks for (pyro.modules=), each set in lexical order. A
// module already present (EEXIST) is fine; other failures are returned
// together after trying the rest.
func LoadModules() error {
	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		return fmt.Errorf("read /proc/cmdline: %w", err)
	}
	var names []string
	for _, dir := range append([]string{ModulesDir}, groupDirs(ParseCmdline(string(cmdline)).Groups)...) {
		found, _ := filepath.Glob(filepath.Join(dir, "*.ko"))
		sort.Strings(found)
		names = append(names, found...)
	}
	var errs []error
	for _, name := range names {
		if err := loadModule(name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func groupDirs(groups []string) []string {
	dirs := make([]string, 0, len(groups))
	for _, g := range groups {
		dirs = append(dirs, filepath.Join(ModulesDir, g))
	}
	return dirs
}

func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), "", 0); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("load %s: %w", filepath.Base(path), err)
	}
	return nil
}

// Switch mounts the root disk named on the kernel command line, moves /dev,
// /proc and /sys onto it, frees the initramfs files and makes it "/" (the
// switch_root dance: mount --move to /, chroot). Go threads share one fs
// context, so the chroot holds for the whole process.
func Switch() error {
	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		return fmt.Errorf("read /proc/cmdline: %w", err)
	}
	spec := ParseCmdline(string(cmdline))
	if err := waitForDevice(spec.Device, rootDeviceWait); err != nil {
		return err
	}
	if err := os.MkdirAll(newRoot, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", newRoot, err)
	}
	var flags uintptr
	if spec.ReadOnly {
		flags |= unix.MS_RDONLY
	}
	if err := unix.Mount(spec.Device, newRoot, spec.FSType, flags, ""); err != nil {
		return fmt.Errorf("mount %s (%s) on %s: %w", spec.Device, spec.FSType, newRoot, err)
	}
	for _, dir := range []string{"/dev", "/proc", "/sys"} {
		target := newRoot + dir
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("mkdir %s: %w", target, err)
		}
		if err := unix.Mount(dir, target, "", unix.MS_MOVE, ""); err != nil {
			return fmt.Errorf("move %s to the root disk: %w", dir, err)
		}
	}
	// The initramfs stays in RAM until its files are gone; this binary keeps
	// running from its already-mapped pages.
	_ = os.RemoveAll("/lib")
	_ = os.Remove("/init")
	if err := unix.Chdir(newRoot); err != nil {
		return fmt.Errorf("chdir %s: %w", newRoot, err)
	}
	if err := unix.Mount(".", "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("move the root disk to /: %w", err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	return unix.Chdir("/")
}

func waitForDevice(path string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("root device %s did not appear within %s", path, limit)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
