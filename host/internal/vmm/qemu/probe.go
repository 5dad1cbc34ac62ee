package qemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

// kvmProbeTimeout bounds the KVM probe boot; a guest that has not reached
// its root-mount panic by then counts as not booting (under PVM it may hang
// in early boot rather than fail).
const kvmProbeTimeout = 8 * time.Second

var versionRE = regexp.MustCompile(`QEMU emulator version (\S+)`)

// ParseVersion extracts the version from `qemu-system-x86_64 --version`
// output ("7.2.22"); "" when it is not there.
func ParseVersion(out string) string {
	if m := versionRE.FindStringSubmatch(out); m != nil {
		return m[1]
	}
	return ""
}

// Verdict is the outcome of a KVM probe boot.
type Verdict struct {
	OK  bool
	Why string
}

var (
	bootedRE = regexp.MustCompile(`VFS: Unable to mount root|VFS: Cannot open root device|Kernel panic`)
	emulRE   = regexp.MustCompile(`(?i)emulation failure`)
	msrRE    = regexp.MustCompile(`(?i)failed to set MSR`)
	noKVMRE  = regexp.MustCompile(`(?i)Could not access KVM|failed to initialize kvm|No such file or directory`)
)

// ClassifyProbeOutput reads the probe boot's console and stderr: the kernel
// reaching its root-mount panic means KVM ran all of early boot. nil means
// no verdict yet.
func ClassifyProbeOutput(console, stderr string) *Verdict {
	switch {
	case bootedRE.MatchString(console):
		return &Verdict{OK: true, Why: "guest kernel booted under KVM"}
	case emulRE.MatchString(stderr):
		return &Verdict{Why: "emulation failure"}
	case msrRE.MatchString(stderr):
		return &Verdict{Why: "MSR setup failed"}
	case noKVMRE.MatchString(stderr):
		return &Verdict{Why: "KVM could not be initialised"}
	}
	return nil
}

// Probe implements vmm.Driver. /dev/kvm existing is not enough (under PVM,
// a paravirtualised nested KVM, stock kernels die in early boot), so with
// opts.KernelPath the kernel is booted under KVM without a disk for at most
// 8 s, once per cache key (opts.CachePath); /dev/kvm itself is checked on
// every call. The binary missing or not running is Available false.
func (d *Driver) Probe(ctx context.Context, opts vmm.ProbeOptions) (p protocol.DriverProbe) {
	started := time.Now()
	p = protocol.DriverProbe{Driver: d.Name(), ExecutionMode: ExecutionMode, Capabilities: d.Capabilities()}
	defer func() { p.DurationMs = time.Since(started).Milliseconds() }()
	bin, err := d.lookPath()
	if err != nil {
		var ue *vmm.UnavailableError
		errors.As(err, &ue)
		p.Reason, p.Hint = ue.Reason, ue.Hint
		return p
	}
	p.Binary = bin
	dev := vmm.CheckKVM(d.kvmPath)
	devOK, _ := vmm.KVMUsable(dev)
	key, keyErr := keyFor(d.binary, bin)
	cachePath := opts.CachePath
	if keyErr != nil {
		p.CacheError, cachePath = keyErr.Error(), ""
	}
	var entry *cacheEntry
	if cachePath != "" {
		entry = readCache(cachePath, key)
	}
	p.Cached = entry != nil && !needsProbe(entry, devOK, opts.KernelPath)
	var probeErr error
	probe := func() {
		if cachePath != "" {
			if entry = readCache(cachePath, key); !needsProbe(entry, devOK, opts.KernelPath) {
				p.Cached = true // another process probed while this one waited
				return
			}
		}
		var e cacheEntry
		if e, probeErr = probeNow(ctx, bin, key, dev, opts.KernelPath); probeErr != nil {
			return
		}
		entry = &e
		// A verdict that /dev/kvm alone gave while it was usable says nothing: not kept.
		if cachePath != "" && (e.BootTested || !devOK) {
			if err := writeCache(cachePath, e); err != nil {
				p.CacheError = err.Error()
			}
		}
	}
	if !p.Cached {
		if cachePath == "" {
			probe()
		} else if err := withCacheLock(ctx, cachePath, probe); err != nil {
			p.CacheError, cachePath = err.Error(), ""
			probe()
		}
	}
	if probeErr != nil {
		p.Reason = probeErr.Error()
		p.Hint = "check that " + bin + " runs (--version), or set PYRO_QEMU_BINARY"
		return p
	}
	p.Available, p.Version = true, entry.QEMUVersion
	p.Acceleration, p.AccelerationReason, p.KVMGuestBoots = decide(dev, entry)
	return p
}

// needsProbe says whether QEMU must be run now: nothing cached, or a verdict
// from /dev/kvm alone while a boot test has become possible.
func needsProbe(e *cacheEntry, devOK bool, kernelPath string) bool {
	return e == nil || (devOK && kernelPath != "" && !e.BootTested)
}

// probeNow asks QEMU its version and, when /dev/kvm is usable and a kernel
// is given, boots it under KVM. Errors: `--version` failed (QEMU cannot run).
func probeNow(ctx context.Context, bin string, key cacheKey, dev protocol.KVMDevice, kernelPath string) (cacheEntry, error) {
	started := time.Now()
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return cacheEntry{}, fmt.Errorf("%s --version: %w", bin, err)
	}
	devOK, why := vmm.KVMUsable(dev)
	e := cacheEntry{cacheKey: key, QEMUVersion: ParseVersion(string(out)), Reason: why}
	if devOK && kernelPath != "" {
		v := probeBoot(ctx, bin, kernelPath)
		e.BootTested, e.KVMUsable, e.Reason = true, v.OK, v.Why
		if !v.OK {
			e.Reason = "KVM present but guest probe failed: " + v.Why
		}
	}
	e.ProbedAt = time.Now().UTC().Format(time.RFC3339Nano)
	e.DurationMs = time.Since(started).Milliseconds()
	return e, nil
}

// decide turns the live /dev/kvm check and the probe entry into the
// acceleration, its reason and the boot test's verdict (nil: never run).
// /dev/kvm unusable now wins over any verdict; usable but never
// boot-tested leaves the acceleration undecided ("").
func decide(dev protocol.KVMDevice, e *cacheEntry) (accel, reason string, guestBoots *bool) {
	if e.BootTested {
		guestBoots = &e.KVMUsable
	}
	ok, why := vmm.KVMUsable(dev)
	switch {
	case !ok:
		return "tcg", why + "; using TCG", guestBoots
	case !e.BootTested:
		return "", why + ", but KVM is not boot-tested yet (no guest kernel given)", guestBoots
	case e.KVMUsable:
		return "kvm", e.Reason + "; using KVM", guestBoots
	}
	return "tcg", e.Reason + "; using TCG", guestBoots
}

// probeBoot boots kernelPath under KVM and classifies what it prints.
func probeBoot(ctx context.Context, bin, kernelPath string) Verdict {
	ctx, cancel := context.WithTimeout(ctx, kvmProbeTimeout)
	defer cancel()
	cmd := exec.Command(bin,
		"-M", "microvm,acpi=off", "-accel", "kvm", "-cpu", "host,-arch-capabilities", "-m", "128", "-smp", "1",
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-serial", "stdio",
		"-kernel", kernelPath, "-append", "console=ttyS0 root=/dev/pyro-probe-none panic=-1 reboot=t")
	var console, stderr lockedBuffer
	verdicts := make(chan Verdict, 1)
	check := func() {
		if v := ClassifyProbeOutput(console.String(), stderr.String()); v != nil {
			select {
			case verdicts <- *v:
			default:
			}
		}
	}
	console.onWrite, stderr.onWrite = check, check
	cmd.Stdout, cmd.Stderr = &console, &stderr
	wait, err := startProcess(cmd)
	if err != nil {
		return Verdict{Why: fmt.Sprintf("cannot start QEMU (%v)", err)}
	}
	reaped := false
	defer func() {
		if !reaped {
			_ = killProcess(cmd.Process.Pid)
			<-wait
		}
	}()
	select {
	case v := <-verdicts:
		return v
	case <-wait:
		reaped = true
		if v := ClassifyProbeOutput(console.String(), stderr.String()); v != nil {
			return *v
		}
		return Verdict{Why: "VMM exited early"}
	case <-ctx.Done():
		return Verdict{Why: fmt.Sprintf("no boot within %d ms", kvmProbeTimeout.Milliseconds())}
	}
}

// lockedBuffer is a bytes.Buffer for a child's output, safe to read while it
// is written, keeping only the last 8 KiB.
type lockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	onWrite func()
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf.Write(p)
	if b.buf.Len() > 8192 {
		rest := b.buf.Bytes()[b.buf.Len()-8192:]
		b.buf = *bytes.NewBuffer(append([]byte(nil), rest...))
	}
	b.mu.Unlock()
	if b.onWrite != nil {
		b.onWrite()
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Clone(b.buf.String())
}
