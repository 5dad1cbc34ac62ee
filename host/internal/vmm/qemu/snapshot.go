package qemu

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/vmm/qmp"
)

// pollInterval is how often migration progress is asked for: a saved state
// of a template is written in about 10 ms, a restore loads in about 100 ms.
const pollInterval = 5 * time.Millisecond

// saveBandwidth is the migration rate limit of a save, in bytes per second:
// effectively none (QEMU's default is 32 MiB/s, meant for a network link).
const saveBandwidth = int64(1) << 40

// capability is one entry of migrate-set-capabilities.
type capability struct {
	Capability string `json:"capability"`
	State      bool   `json:"state"`
}

// migrationInfo is the part of query-migrate's answer read here.
type migrationInfo struct {
	Status    string `json:"status"` // "active", "completed", "failed", "cancelled", ...
	ErrorDesc string `json:"error-desc"`
}

// Save implements vmm.Machine: it writes the VM's device state (and RAM,
// unless it lives in vm.MemoryPath: x-ignore-shared leaves a file-backed
// RAM out, so the file itself is the RAM image) to path through QMP
// `migrate exec:cat > path`, and returns once it is complete. The VM is then
// paused for good (QEMU's postmigrate); the caller stops it. Errors: QMP's,
// the migration's error-desc, ctx's.
func (m *machine) Save(ctx context.Context, path string) error {
	c, err := m.waitQMP(ctx)
	if err != nil {
		return err
	}
	if err := m.ignoreSharedRAM(ctx, c); err != nil {
		return err
	}
	// QEMU caps a migration at 32 MiB/s by default: fine for a template (devices only), but a
	// saved state that carries the RAM (a paused workspace) would take seconds. A local file
	// has no link to spare.
	if err := c.Execute(ctx, "migrate-set-parameters", map[string]any{"max-bandwidth": saveBandwidth}, nil); err != nil {
		return fmt.Errorf("qemu: migration parameters: %w", err)
	}
	if bytes, took := warmMemory(ctx, m.memory); bytes > 0 {
		m.log.Info("memory_warmed", "bytes", bytes, "ms", took.Milliseconds())
	}
	// The vCPUs stop first: the state is then one consistent pass over memory that no longer
	// changes, instead of a live precopy racing a busy guest (a paused workspace resumed from
	// such a state once panicked at once under TCG). The runstate saved is "paused": Restore
	// continues it.
	if err := c.Execute(ctx, "stop", nil, nil); err != nil {
		return fmt.Errorf("qemu: stop vCPUs: %w", err)
	}
	if err := c.Execute(ctx, "migrate", map[string]any{"uri": "exec:cat > " + shellQuote(path)}, nil); err != nil {
		return fmt.Errorf("qemu: save state: %w", err)
	}
	for {
		var info migrationInfo
		if err := c.Execute(ctx, "query-migrate", nil, &info); err != nil {
			return fmt.Errorf("qemu: save state: %w", err)
		}
		switch info.Status {
		case "completed":
			return nil
		case "failed", "cancelled":
			return fmt.Errorf("qemu: save state %s: %s", info.Status, info.ErrorDesc)
		}
		if err := m.pause(ctx); err != nil {
			return fmt.Errorf("qemu: save state: %w", err)
		}
	}
}

// Restore implements vmm.Machine for a VM started with vm.RestoreStatePath
// (`-incoming defer`): it loads the device state from path through QMP
// `migrate-incoming exec:cat path` and returns once the guest runs again.
// A state QEMU cannot load makes it exit: that is an error naming its
// stderr. Errors: QMP's, the exit, ctx's.
func (m *machine) Restore(ctx context.Context, path string) error {
	c, err := m.waitQMP(ctx)
	if err != nil {
		return err
	}
	if err := m.ignoreSharedRAM(ctx, c); err != nil {
		return err
	}
	if err := c.Execute(ctx, "migrate-incoming", map[string]any{"uri": "exec:cat " + shellQuote(path)}, nil); err != nil {
		return fmt.Errorf("qemu: restore state: %w", m.exitOr(err))
	}
	// The state is loaded paused (it was saved with its vCPUs stopped, Save): run them.
	return m.runVCPUs(ctx, c, "restore state", "inmigrate", "prelaunch")
}

// Continue implements vmm.Machine: QMP `cont` on a VM Save left paused
// (QEMU's postmigrate state: `cont` takes its disks back from the finished
// migration first), then waits until it runs. Errors: QMP's, the exit, ctx's.
func (m *machine) Continue(ctx context.Context) error {
	c, err := m.waitQMP(ctx)
	if err != nil {
		return err
	}
	// finish-migrate: the migration's last step, postmigrate follows.
	return m.runVCPUs(ctx, c, "continue", "finish-migrate")
}

// runVCPUs runs a VM whose vCPUs are stopped (QMP `cont` once it is paused
// or postmigrate) and returns once it runs; the run states in wait are waited
// out, any other fails. Errors name what: QMP's, the exit, ctx's.
func (m *machine) runVCPUs(ctx context.Context, c *qmp.Client, what string, wait ...string) error {
	for {
		s, err := c.QueryStatus(ctx)
		if err != nil {
			return fmt.Errorf("qemu: %s: %w", what, m.exitOr(err))
		}
		switch {
		case s.Status == "running":
			return nil
		case s.Status == "paused" || s.Status == "postmigrate":
			if err := c.Execute(ctx, "cont", nil, nil); err != nil {
				return fmt.Errorf("qemu: %s: cont: %w", what, m.exitOr(err))
			}
		case slices.Contains(wait, s.Status):
		default: // e.g. "internal-error", "shutdown"
			return fmt.Errorf("qemu: %s: the VM is %s", what, s.Status)
		}
		if err := m.pause(ctx); err != nil {
			return fmt.Errorf("qemu: %s: %w", what, m.exitOr(err))
		}
	}
}

// ignoreSharedRAM sets x-ignore-shared when RAM lives in a file: then only
// device state goes through the stream, on both sides. A VM with anonymous RAM
// under a file's backend name (vm.MemoryAnonymous) sets it too: it saves and
// loads states of VMs that had RAM in a file, and the capability changes the
// stream's format, so both sides must agree. RAM that is not shared (a
// private map, anonymous memory) goes through the stream either way.
func (m *machine) ignoreSharedRAM(ctx context.Context, c *qmp.Client) error {
	if m.vm.MemoryPath == "" && !m.vm.MemoryAnonymous {
		return nil
	}
	caps := []capability{{Capability: "x-ignore-shared", State: true}}
	if err := c.Execute(ctx, "migrate-set-capabilities", map[string]any{"capabilities": caps}, nil); err != nil {
		return fmt.Errorf("qemu: migration capabilities: %w", m.exitOr(err))
	}
	return nil
}

// waitQMP returns the QMP session once connectQMP has it. Errors: the VMM's
// exit, or ctx's.
func (m *machine) waitQMP(ctx context.Context) (*qmp.Client, error) {
	for {
		if c := m.client(); c != nil {
			return c, nil
		}
		if m.exited() {
			return nil, m.exitOr(errors.New("QMP never connected"))
		}
		if err := m.pause(ctx); err != nil {
			return nil, fmt.Errorf("qemu: QMP: %w", err)
		}
	}
}

// pause waits one pollInterval; it fails when ctx ends or QEMU exits.
func (m *machine) pause(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-m.done:
		return m.exitOr(errors.New("QEMU exited"))
	case <-time.After(pollInterval):
		return nil
	}
}

// exitOr is err, or, once QEMU has exited, how it exited with its stderr
// (a state it cannot load ends it: "load of migration failed ...").
func (m *machine) exitOr(err error) error {
	if !m.exited() {
		return err
	}
	return fmt.Errorf("QEMU %s%s", m.exit.Describe(), stderrSuffix(m.exit.Stderr))
}

// shellQuote quotes s for /bin/sh, which runs QEMU's exec: migration URIs.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
