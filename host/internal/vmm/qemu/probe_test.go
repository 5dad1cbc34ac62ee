package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

func TestParseVersion(t *testing.T) {
	tests := []struct{ out, want string }{
		{"QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022", "7.2.22"},
		{"QEMU emulator version 9.0.0\n", "9.0.0"},
		{"something else", ""},
	}
	for _, tt := range tests {
		if got := ParseVersion(tt.out); got != tt.want {
			t.Errorf("ParseVersion(%q) = %q, want %q", tt.out, got, tt.want)
		}
	}
}

func TestClassifyProbeOutput(t *testing.T) {
	tests := []struct {
		name, console, stderr string
		want                  *Verdict
	}{
		{"root-mount panic means KVM works", "[0.5] VFS: Unable to mount root fs on unknown-block(0,0)", "", &Verdict{OK: true, Why: "guest kernel booted under KVM"}},
		{"any kernel panic counts", "Kernel panic - not syncing: No working init found", "", &Verdict{OK: true, Why: "guest kernel booted under KVM"}},
		{"PVM emulation failure", "", "KVM internal error. Suberror: 1\nemulation failure", &Verdict{Why: "emulation failure"}},
		{"MSR failure", "", "qemu: kvm: failed to set MSR 0x10a", &Verdict{Why: "MSR setup failed"}},
		{"no KVM", "", "Could not access KVM kernel module: No such file or directory", &Verdict{Why: "KVM could not be initialised"}},
		{"KVM init failure", "", "qemu-system-x86_64: failed to initialize kvm: Permission denied", &Verdict{Why: "KVM could not be initialised"}},
		{"the console wins over stderr noise", `VFS: Cannot open root device "pyro-probe-none"`, "emulation failure", &Verdict{OK: true, Why: "guest kernel booted under KVM"}},
		{"nothing yet", "Linux version 6.1", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ClassifyProbeOutput(tt.console, tt.stderr)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// fakeQEMU writes a script standing in for qemu-system-x86_64: `--version`
// prints a version; anything else is a probe boot that appends a line to
// boots (so tests count them) and runs boot (shell). It returns a driver
// on it whose /dev/kvm is an ordinary file the test can take away.
func fakeQEMU(t *testing.T, boot string) (d *Driver, boots, kvm string) {
	t.Helper()
	dir := t.TempDir()
	boots, kvm = filepath.Join(dir, "boots"), filepath.Join(dir, "kvm")
	script := fmt.Sprintf("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'QEMU emulator version 9.9.9 (fake)'; exit 0; fi\necho boot >> %s\n%s\n", boots, boot)
	bin := filepath.Join(dir, "qemu-system-x86_64")
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kvm, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d = New(bin, nil)
	d.kvmPath = kvm
	return d, boots, kvm
}

func countBoots(t *testing.T, boots string) int {
	raw, err := os.ReadFile(boots)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(raw), "boot\n")
}

// booting panics on its "console" the way a kernel without a root disk does, then hangs
// (the probe must kill it); failing dies the way KVM under PVM does.
const (
	booting = "echo 'VFS: Unable to mount root fs on unknown-block(0,0)'; exec sleep 30"
	failing = "echo 'KVM internal error. Suberror: 1' >&2; echo 'emulation failure' >&2; exit 1"
	hanging = "exec sleep 30"
)

func TestProbeBootTestVerdicts(t *testing.T) {
	tests := []struct {
		name, boot, accel, reason string
		boots                     bool
	}{
		{"a guest that reaches its root-mount panic means KVM", booting, "kvm", "guest kernel booted under KVM; using KVM", true},
		{"an emulation failure means TCG", failing, "tcg", "KVM present but guest probe failed: emulation failure; using TCG", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, boots, _ := fakeQEMU(t, tt.boot)
			started := time.Now()
			p := d.Probe(context.Background(), vmm.ProbeOptions{KernelPath: "/k/vmlinux"})
			if time.Since(started) > 5*time.Second {
				t.Errorf("probe took %s: it must stop at the verdict, not wait for the VMM", time.Since(started))
			}
			if !p.Available || p.Version != "9.9.9" || p.Acceleration != tt.accel || p.AccelerationReason != tt.reason {
				t.Errorf("probe = %+v, want available 9.9.9, %s (%s)", p, tt.accel, tt.reason)
			}
			if p.KVMGuestBoots == nil || *p.KVMGuestBoots != tt.boots || p.Cached {
				t.Errorf("kvm_guest_boots = %v, cached = %v; want %v, false", p.KVMGuestBoots, p.Cached, tt.boots)
			}
			if n := countBoots(t, boots); n != 1 {
				t.Errorf("%d probe boots, want 1", n)
			}
		})
	}
}

func TestProbeCachesTheVerdict(t *testing.T) {
	d, boots, kvm := fakeQEMU(t, booting)
	cache := filepath.Join(t.TempDir(), "host", "accel-probe.json")
	opts := vmm.ProbeOptions{KernelPath: "/k/vmlinux", CachePath: cache}
	first := d.Probe(context.Background(), opts)
	second := d.Probe(context.Background(), opts)
	if first.Cached || !second.Cached || second.Acceleration != "kvm" || second.Version != "9.9.9" || second.CacheError != "" {
		t.Fatalf("first %+v\nsecond %+v: want the second from the cache", first, second)
	}
	if n := countBoots(t, boots); n != 1 {
		t.Errorf("%d probe boots for two probes, want 1", n)
	}
	st, err := os.Stat(cache)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("cache file %v, %v: want mode 0644", st, err)
	}
	var onDisk map[string]any
	raw, _ := os.ReadFile(cache)
	_ = json.Unmarshal(raw, &onDisk)
	for _, k := range []string{"host_kernel", "qemu_binary", "kvm_usable", "reason", "probed_at", "duration_ms"} {
		if _, ok := onDisk[k]; !ok {
			t.Errorf("cache file lacks %q (older releases read it): %s", k, raw)
		}
	}

	// /dev/kvm taken away: the live check wins over the cached verdict, and nothing boots.
	if err := os.Remove(kvm); err != nil {
		t.Fatal(err)
	}
	if p := d.Probe(context.Background(), opts); p.Acceleration != "tcg" || p.AccelerationReason != kvm+" not present; using TCG" {
		t.Errorf("without /dev/kvm: %+v", p)
	}

	// A new QEMU build (mtime moved) is probed again.
	if err := os.WriteFile(kvm, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(d.binary, later, later); err != nil {
		t.Fatal(err)
	}
	if p := d.Probe(context.Background(), opts); p.Cached || p.Acceleration != "kvm" {
		t.Errorf("after a QEMU upgrade: %+v, want a fresh probe", p)
	}
	if n := countBoots(t, boots); n != 2 {
		t.Errorf("%d probe boots, want 2 (one more after the upgrade)", n)
	}
}

func TestConcurrentProbesBootOnce(t *testing.T) {
	d, boots, _ := fakeQEMU(t, booting)
	opts := vmm.ProbeOptions{KernelPath: "/k/vmlinux", CachePath: filepath.Join(t.TempDir(), "accel-probe.json")}
	var wg sync.WaitGroup
	results := make([]protocol.DriverProbe, 4)
	for i := range results {
		wg.Go(func() { results[i] = d.Probe(context.Background(), opts) })
	}
	wg.Wait()
	for _, p := range results {
		if p.Acceleration != "kvm" || p.CacheError != "" {
			t.Errorf("probe = %+v", p)
		}
	}
	if n := countBoots(t, boots); n != 1 {
		t.Errorf("%d probe boots for 4 concurrent probes, want 1", n)
	}
}

func TestProbeWithoutBootTest(t *testing.T) {
	d, boots, kvm := fakeQEMU(t, booting)
	cache := filepath.Join(t.TempDir(), "accel-probe.json")
	p := d.Probe(context.Background(), vmm.ProbeOptions{CachePath: cache})
	if p.Acceleration != "" || !strings.Contains(p.AccelerationReason, "not boot-tested") || p.KVMGuestBoots != nil {
		t.Errorf("no kernel, KVM accessible: %+v, want undecided", p)
	}
	if _, err := os.Stat(cache); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an untested verdict was cached (%v): a later boot would trust it", err)
	}
	if err := os.Chmod(kvm, 0o000); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 { // root may open anything
		if p := d.Probe(context.Background(), vmm.ProbeOptions{KernelPath: "/k/vmlinux"}); p.Acceleration != "tcg" || p.AccelerationReason != kvm+" not accessible; using TCG" {
			t.Errorf("unreadable /dev/kvm: %+v", p)
		}
	}
	if n := countBoots(t, boots); n != 0 {
		t.Errorf("%d probe boots, want none", n)
	}
}

func TestProbeTimeoutCountsAsNoKVM(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 8 s probe timeout")
	}
	t.Parallel()
	d, _, _ := fakeQEMU(t, hanging)
	p := d.Probe(context.Background(), vmm.ProbeOptions{KernelPath: "/k/vmlinux"})
	if p.Acceleration != "tcg" || p.AccelerationReason != "KVM present but guest probe failed: no boot within 8000 ms; using TCG" {
		t.Errorf("probe = %+v", p)
	}
}

func TestProbeWithoutQEMU(t *testing.T) {
	p := New(filepath.Join(t.TempDir(), "no-such-qemu"), nil).Probe(context.Background(), vmm.ProbeOptions{})
	if p.Available || p.Reason == "" || !strings.Contains(p.Hint, "qemu-system-x86") || p.Acceleration != "" {
		t.Errorf("probe = %+v, want unavailable with a reason and the package to install", p)
	}
}
