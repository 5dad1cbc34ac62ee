package sysinfo

import (
	"time"

	"golang.org/x/sys/unix"
)

// Uptime is the time since boot (CLOCK_BOOTTIME; needs no /proc).
func Uptime() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// KernelRelease is `uname -r`.
func KernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}
