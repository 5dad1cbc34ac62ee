package power

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Sync flushes all filesystems.
func Sync() error {
	unix.Sync()
	return nil
}

// Off kills every other process, flushes and remounts / read-only so the
// image is clean on the host, then reboots via sysrq: QEMU runs with
// -no-reboot, so the VM exits (sysrq o needs ACPI, which microvm lacks).
// It only returns if the reboot failed.
func Off() error {
	if os.Getpid() != 1 {
		return ErrNotInit
	}
	var errs []error
	_ = unix.Kill(-1, unix.SIGKILL) // everyone but PID 1
	unix.Sync()
	if err := remountReadOnly(); err != nil {
		errs = append(errs, err)
	}
	unix.Sync()
	if err := sysrq('b'); err != nil {
		errs = append(errs, fmt.Errorf("sysrq b: %w", err))
		if err := unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART); err != nil {
			errs = append(errs, fmt.Errorf("reboot: %w", err))
		}
	}
	time.Sleep(time.Second) // the reboot is asynchronous on some paths
	return errors.Join(errs...)
}

// remountReadOnly retries while killed processes are still letting go of
// files open for writing (EBUSY).
func remountReadOnly() error {
	var err error
	for i := 0; i < 50; i++ {
		err = unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_RDONLY, "")
		if err != unix.EBUSY {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("remount / read-only: %w", err)
	}
	return nil
}

// sysrq opens without O_CREATE so a missing /proc fails instead of making a
// file on the root disk.
func sysrq(key byte) error {
	f, err := os.OpenFile("/proc/sysrq-trigger", os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write([]byte{key})
	return err
}
