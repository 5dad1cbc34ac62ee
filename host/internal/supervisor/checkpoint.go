package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// checkpointQuiesce is saveQuiesce for a checkpoint: the guest runs on
// meanwhile, so waiting longer costs its processes nothing, and a busy guest
// (services, shells, other VMs on the host) that has not yet seen its host
// leave when the vCPUs stop gives every fork a stale session to retry (1 s).
const checkpointQuiesce = 300 * time.Millisecond

// continueTimeout bounds running the vCPUs again after a checkpoint; a
// `cont` takes milliseconds, so this only guards against a VMM that hangs.
const continueTimeout = 30 * time.Second

// Checkpoint implements api.Backend for POST /v1/save with keep_running (a
// workspace fork): the VM's state is saved to req.Path with its vCPUs
// stopped (Machine.Save), its root disk is copied to each of
// req.DiskCopies while they are still stopped, so every copy matches the
// saved memory, then the vCPUs run again (Machine.Continue) and the VM stays
// ready: its processes never see more than a pause.
//
// When no request is being proxied the guest's host session is closed first,
// as SaveAndStop does, so the saved agent waits for a new host and a restore
// of it answers at once; the VM's own agent is dialled again and must answer
// before this returns. A request in flight keeps the session (it must not
// fail because of a fork): a restore then finds a stale session and redials
// (restore.go).
//
// Copies that fail are removed. Errors wrap protocol.ErrVMNotRunning or
// ErrInvalidArgument, or are a save_failed *protocol.CodedError; the VM
// runs again in every case where Continue succeeds.
func (s *Supervisor) Checkpoint(ctx context.Context, req protocol.SaveRequest) (protocol.State, error) {
	if err := s.checkCheckpoint(req); err != nil {
		return s.snapshot(), err
	}
	s.checkpointMu.Lock()
	defer s.checkpointMu.Unlock()
	if p := s.phase(); p != protocol.PhaseReady || s.stopRequested() {
		return s.snapshot(), protocol.Errorf(protocol.ErrVMNotRunning, "VM %q is %s", s.cfg.VM.VMID, p)
	}
	if s.idle.Snapshot().InFlight == 0 {
		s.agent.Reset()
		time.Sleep(checkpointQuiesce)
	}
	began := time.Now()
	err := s.machine.Save(ctx, req.Path)
	saveMs := time.Since(began).Milliseconds()
	if err == nil {
		err = copyDisk(ctx, s.cfg.VM.RootfsPath, req.DiskCopies)
	}
	// Always: a failed save may have stopped the vCPUs too, and the VM must not stay paused.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), continueTimeout)
	defer cancel()
	contErr := s.machine.Continue(cctx)
	stoppedMs := time.Since(began).Milliseconds()
	if contErr == nil {
		// Its agent answers again before this returns (reachAgent drops a stale session).
		_, contErr = s.reachAgent(cctx)
	}
	if err = errors.Join(err, contErr); err != nil {
		s.log.Error("checkpoint_failed", "error", err.Error(), "continued", contErr == nil)
		return s.snapshot(), protocol.Codef(protocol.CodeSaveFailed, "checkpoint VM state: %v", err)
	}
	s.log.Info("checkpoint", "save_ms", saveMs, "stopped_ms", stoppedMs, "disk_copies", len(req.DiskCopies))
	return s.snapshot(), nil
}

// checkCheckpoint refuses a request before anything stops: a path, copies
// only of a persistent disk, each an absolute path that does not exist yet.
// Errors wrap protocol.ErrInvalidArgument.
func (s *Supervisor) checkCheckpoint(req protocol.SaveRequest) error {
	if req.Path == "" {
		return protocol.Errorf(protocol.ErrInvalidArgument, "save needs a path")
	}
	if len(req.DiskCopies) > 0 && s.cfg.VM.DiskMode != "persistent" {
		return protocol.Errorf(protocol.ErrInvalidArgument, "disk copies need a persistent disk (this one is %s)", s.cfg.VM.DiskMode)
	}
	for _, p := range req.DiskCopies {
		if !filepath.IsAbs(p) {
			return protocol.Errorf(protocol.ErrInvalidArgument, "disk copy path %q is not absolute", p)
		}
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return protocol.Errorf(protocol.ErrInvalidArgument, "disk copy path %q exists already", p)
		}
	}
	return nil
}

// copyDisk copies the disk at src to every path of dsts with cp (a reflink
// where the file system has them, else a sparse copy that skips holes);
// on an error every copy made so far is removed.
func copyDisk(ctx context.Context, src string, dsts []string) error {
	for i, dst := range dsts {
		out, err := exec.CommandContext(ctx, "cp", "--reflink=auto", "--sparse=always", "--", src, dst).CombinedOutput()
		if err != nil {
			for _, made := range dsts[:i+1] {
				_ = os.Remove(made)
			}
			return fmt.Errorf("copy disk to %s: %w: %s", dst, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}
