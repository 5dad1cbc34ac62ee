package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The probe cache remembers the KVM boot test's verdict (and QEMU's
// version), so that a guest is booted to test KVM once per host kernel and
// QEMU binary, not on every command. Core names the file:
// $PYRO_ENVIRONMENT_CACHE_DIR/host/accel-probe.json, per host and shared by
// every PYRO_HOME.

// cacheFileMode: the verdict holds nothing secret, and the same cache dir
// serves every state dir of the user.
const cacheFileMode = 0o644

// cacheLockWait bounds the wait for another process's probe of the same
// cache (at most a boot test of kvmProbeTimeout plus `--version`).
const cacheLockWait = 30 * time.Second

// cacheKey is what a cached verdict holds for: a new host kernel, another
// QEMU binary or an upgraded one (size or mtime changed) probes again.
type cacheKey struct {
	HostKernel  string `json:"host_kernel"` // `uname -r` and `uname -v`, space-separated
	QEMUBinary  string `json:"qemu_binary"` // as configured (PYRO_QEMU_BINARY)
	QEMUPath    string `json:"qemu_path"`   // what it resolved to
	QEMUSize    int64  `json:"qemu_size"`   // bytes
	QEMUMtimeNs int64  `json:"qemu_mtime_ns"`
}

// cacheEntry is the cache file's JSON. host_kernel, qemu_binary,
// kvm_usable, reason, probed_at and duration_ms keep the names older pyro
// releases wrote and read.
type cacheEntry struct {
	cacheKey
	QEMUVersion string `json:"qemu_version"`
	// BootTested is false when the verdict comes from /dev/kvm alone (absent
	// or not accessible then, or no kernel to test with): it is not reused
	// once KVM is accessible and a kernel is given.
	BootTested bool   `json:"boot_tested"`
	KVMUsable  bool   `json:"kvm_usable"`
	Reason     string `json:"reason"`
	ProbedAt   string `json:"probed_at"` // RFC 3339, UTC
	// DurationMs is how long the probe that wrote the entry took, in ms.
	DurationMs int64 `json:"duration_ms"`
}

// keyFor builds the cache key of the configured binary resolved to path.
// Errors: the stat error.
func keyFor(configured, path string) (cacheKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return cacheKey{}, err
	}
	return cacheKey{
		HostKernel:  hostKernelID(),
		QEMUBinary:  configured,
		QEMUPath:    path,
		QEMUSize:    st.Size(),
		QEMUMtimeNs: st.ModTime().UnixNano(),
	}, nil
}

// readCache returns the entry at path when it holds for key; nil when
// absent, unreadable, or for another key.
func readCache(path string, key cacheKey) *cacheEntry {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(raw, &e) != nil || e.cacheKey != key {
		return nil
	}
	return &e
}

// writeCache replaces the file at path with e (temp file, then rename, so
// a reader never sees half an entry). Errors: the os error.
func writeCache(path string, e cacheEntry) error {
	raw, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".accel-probe-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	_, werr := tmp.Write(append(raw, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), cacheFileMode)); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// withCacheLock runs fn while holding an exclusive lock beside the cache
// file (<dir>/accel-probe.lock, an flock, so a crashed holder releases it),
// so concurrent first boots run one probe between them. It waits up to
// cacheLockWait. Errors: the lock could not be taken (fn did not run).
func withCacheLock(ctx context.Context, path string, fn func()) error {
	lockPath := filepath.Join(filepath.Dir(path), "accel-probe.lock")
	if err := os.MkdirAll(filepath.Dir(lockPath), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, cacheFileMode)
	if err != nil {
		return err
	}
	defer f.Close() // closing the descriptor releases the lock
	ctx, cancel := context.WithTimeout(ctx, cacheLockWait)
	defer cancel()
	for {
		ok, err := tryLock(f)
		if err != nil {
			return fmt.Errorf("lock %s: %w", lockPath, err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("lock %s: another probe held it for %s", lockPath, cacheLockWait)
		case <-time.After(50 * time.Millisecond):
		}
	}
	fn()
	return nil
}
