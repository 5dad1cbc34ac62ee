package sysinfo

import "testing"

func TestFacts(t *testing.T) {
	if Uptime() <= 0 {
		t.Error("uptime not positive")
	}
	if KernelRelease() == "" {
		t.Error("empty kernel release")
	}
}
