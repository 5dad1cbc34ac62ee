package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
	"github.com/pyro-mcp/pyro/host/internal/vmm/drivers"
)

// probeTimeout bounds a whole probe: waiting for another process's probe of
// the same cache (30 s), then QEMU's --version and one KVM boot test (8 s).
const probeTimeout = 60 * time.Second

// probe runs every driver's probe and prints the report (text, or one JSON
// protocol.ProbeReport with -json). Exit status 0 when the selected driver
// is available, 1 when it is not (the report says why), 2 for bad flags.
func probe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("vmm", "auto", "driver to select: auto, qemu or firecracker")
	qemu := fs.String("qemu", "", "QEMU binary, a path or a name on PATH (default qemu-system-x86_64)")
	kernel := fs.String("kernel", "", "guest kernel the selected driver boots under KVM to check it works ('' = no boot test)")
	cache := fs.String("cache", "", "probe cache file: a verdict there for this host kernel and QEMU is reused, a new one written ('' = none)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	selected, err := drivers.New(*name, *qemu, nil)
	if err != nil {
		printError(stdout, stderr, *asJSON, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	report := protocol.ProbeReport{Selected: selected.Name(), KVM: vmm.CheckKVM(vmm.KVMDevicePath)}
	status := 1
	for _, n := range drivers.Names {
		d, _ := drivers.New(n, *qemu, nil)
		opts := vmm.ProbeOptions{KernelPath: *kernel, CachePath: *cache}
		if n != report.Selected {
			opts.KernelPath = "" // only the selected driver may boot a guest: cached verdicts still show
		}
		p := d.Probe(ctx, opts)
		report.Drivers = append(report.Drivers, p)
		if n == report.Selected && p.Available {
			status = 0
		}
	}
	if *asJSON {
		writeJSON(stdout, report)
	} else {
		fmt.Fprint(stdout, formatProbe(report))
	}
	return status
}

// formatProbe is the report for people, one driver per paragraph.
func formatProbe(r protocol.ProbeReport) string {
	var b strings.Builder
	k := r.KVM
	fmt.Fprintf(&b, "selected: %s\n%s: exists=%s readable=%s writable=%s\n", r.Selected, k.Path, yes(k.Exists), yes(k.Readable), yes(k.Writable))
	for _, p := range r.Drivers {
		binary := p.Binary
		if binary == "" {
			binary = "not found"
		}
		if p.Available {
			fmt.Fprintf(&b, "%s: available, version %s (%s)\n", p.Driver, orUnknown(p.Version), binary)
		} else {
			fmt.Fprintf(&b, "%s: unavailable: %s (%s); binary %s\n", p.Driver, p.Reason, p.Hint, binary)
		}
		if p.Acceleration != "" || p.AccelerationReason != "" {
			accel := p.Acceleration
			if accel == "" {
				accel = "undecided"
			}
			fmt.Fprintf(&b, "  acceleration: %s (%s)\n", accel, p.AccelerationReason)
		}
		boots := "untested"
		if p.KVMGuestBoots != nil {
			boots = yes(*p.KVMGuestBoots)
		}
		c := p.Capabilities
		fmt.Fprintf(&b, "  kvm_guest_boots=%s cached=%s execution_mode=%s duration_ms=%d\n", boots, yes(p.Cached), p.ExecutionMode, p.DurationMs)
		fmt.Fprintf(&b, "  capabilities: pause_resume=%s save_restore=%s vsock=%s hotplug=%s\n", yes(c.PauseResume), yes(c.SaveRestore), yes(c.Vsock), yes(c.Hotplug))
		if p.CacheError != "" {
			fmt.Fprintf(&b, "  cache error: %s\n", p.CacheError)
		}
	}
	return b.String()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
