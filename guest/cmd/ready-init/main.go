//go:build linux

// Command ready-init is the benchmark floor: a static PID 1 that does the
// boot work every guest needs (from pyro's initramfs: load the kernel
// modules, mount the root disk and switch to it, as the agent does), then
// prints "READY uptime=<seconds>" to the console and reboots at once, so QEMU
// (-no-reboot) exits. Nothing of pyro's agent or host side is involved.
package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pyro-mcp/pyro/guest/internal/rootswitch"
)

func main() {
	if rootswitch.InInitramfs() {
		_ = rootswitch.EarlyMounts()
		_ = rootswitch.LoadModules()
		if err := rootswitch.Switch(); err != nil {
			fail(err)
		}
	}
	out := os.Stdout
	if f, err := os.OpenFile("/dev/console", os.O_WRONLY|unix.O_NOCTTY, 0); err == nil {
		out = f
	}
	_, _ = out.WriteString("READY uptime=" + uptime() + "\n")
	if !sysrq() {
		_ = unix.Mount("proc", "/proc", "proc", 0, "") // only now: it costs time
		if !sysrq() {
			_ = unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART)
		}
	}
	for { // PID 1 must not exit, even while the reboot is under way
		time.Sleep(time.Hour)
	}
}

// fail reports on the console and parks: PID 1 must not exit.
func fail(err error) {
	if f, e := os.OpenFile("/dev/console", os.O_WRONLY|unix.O_NOCTTY, 0); e == nil {
		_, _ = f.WriteString("ready-init: " + err.Error() + "\n")
	}
	for {
		time.Sleep(time.Hour)
	}
}

// uptime is the first field of /proc/uptime, or CLOCK_BOOTTIME (the same
// clock) when /proc is not mounted.
func uptime() string {
	if b, err := os.ReadFile("/proc/uptime"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			return f[0]
		}
	}
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts)
	return strconv.FormatFloat(float64(ts.Nano())/1e9, 'f', 2, 64)
}

// sysrq opens without O_CREATE: with /proc unmounted that would just make a
// file on the root disk and "succeed".
func sysrq() bool {
	f, err := os.OpenFile("/proc/sysrq-trigger", os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	_, err = f.WriteString("b")
	return err == nil
}
