//go:build !linux

package sysinfo

import "time"

var start = time.Now()

func Uptime() time.Duration { return time.Since(start) }

func KernelRelease() string { return "" }
