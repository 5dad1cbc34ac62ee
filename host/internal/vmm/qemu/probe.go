package qemu

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/vmm"
)

// kvmProbeTimeout bounds the KVM probe boot.
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
// a paravirtualised nested KVM, stock kernels die in early boot), so with a
// kernelPath the kernel is booted under KVM without a disk for at most 8 s.
// Errors: *vmm.UnavailableError when the binary is missing or does not run.
func (d *Driver) Probe(ctx context.Context, kernelPath string) (vmm.Probe, error) {
	started := time.Now()
	p := vmm.Probe{Driver: d.Name(), ExecutionMode: ExecutionMode}
	bin, err := d.lookPath()
	if err != nil {
		return p, err
	}
	p.Binary = bin
	out, err := exec.CommandContext(ctx, bin, "--version").Output()
	if err != nil {
		return p, &vmm.UnavailableError{Driver: "qemu", Reason: fmt.Sprintf("%s --version: %v", bin, err)}
	}
	p.Version = ParseVersion(string(out))
	ok, why := kvmAccess("/dev/kvm")
	if ok && kernelPath == "" {
		why += " (not boot-tested: no kernel given)"
	}
	if ok && kernelPath != "" {
		v := probeBoot(ctx, bin, kernelPath)
		ok, why = v.OK, v.Why
		if !ok {
			why = "KVM present but guest probe failed: " + why
		}
	}
	p.Acceleration, p.AccelerationReason = "tcg", why+"; using TCG"
	if ok {
		p.Acceleration, p.AccelerationReason = "kvm", why+"; using KVM"
	}
	p.DurationMs = time.Since(started).Milliseconds()
	return p, nil
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
