package supervisor

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/agent"
	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/trace"
)

const (
	// infoRetry is the pause between GET /v1/info attempts of a restored
	// guest, after its connection was dropped: long enough for the agent to
	// see the host leave, which ends its discarding of a broken session.
	infoRetry = 100 * time.Millisecond
	// entropyBytes is how much host randomness a guest gets: a full reseed
	// of its CRNG (256 bits) four times over.
	entropyBytes = 128
	// saveQuiesce lets the guest agent notice that its host left before the
	// state is saved, so a restored agent waits for its new host instead of
	// reading the new session as part of the old one.
	saveQuiesce = 100 * time.Millisecond
	// infoAttempt bounds one GET /v1/info of a restored guest (they answer
	// in 0.3-0.6 s under TCG); then its connection is dropped and redialled.
	infoAttempt = time.Second
)

// restoring reports whether the VM starts from saved state.
func (s *Supervisor) restoring() bool { return s.cfg.VM.RestoreStatePath != "" }

// awaitAgent brings the guest to an answering agent that has taken its own
// identity. A restored VM first loads its state (Machine.Restore), and its
// agent is asked again on a new connection until ctx ends, since the first
// may fall on the template's stale session; a cold boot waits for one answer. Then the
// identity (cfg.Identity) is sent. Errors: the restore's, the agent's, ctx's.
func (s *Supervisor) awaitAgent(ctx context.Context) (agent.Info, error) {
	var info agent.Info
	var err error
	if s.restoring() {
		if err := s.machine.Restore(ctx, s.cfg.VM.RestoreStatePath); err != nil {
			return info, protocol.Codef(protocol.CodeRestoreFailed, "restore from saved state: %v", err)
		}
		trace.Mark("vmm_restored")
		info, err = s.reachAgent(ctx)
	} else {
		info, err = s.agent.Info(ctx)
	}
	if err != nil {
		return info, err
	}
	if err := s.sendIdentity(ctx); err != nil {
		return info, err
	}
	return info, nil
}

// reachAgent asks the agent GET /v1/info on a new connection until it
// answers or ctx ends: a guest that ran on from saved state (a restore, or a
// checkpoint's parent) may hold a session of a host connection that is gone,
// which reads the new one's first bytes as its own; each attempt is bounded by
// infoAttempt, then the connection is dropped and dialled again.
func (s *Supervisor) reachAgent(ctx context.Context) (agent.Info, error) {
	for {
		attempt, cancel := context.WithTimeout(ctx, infoAttempt)
		info, err := s.agent.Info(attempt)
		cancel()
		if err == nil || !errors.Is(err, protocol.ErrGuestUnreachable) || ctx.Err() != nil {
			return info, err
		}
		s.log.Info("agent_retry", "error", err.Error())
		s.agent.Reset()
		select {
		case <-ctx.Done():
		case <-time.After(infoRetry):
		}
	}
}

// sendIdentity tells the agent who it is: host name, machine id, wall
// clock, fresh entropy and its NIC. Without cfg.Identity nothing is sent.
func (s *Supervisor) sendIdentity(ctx context.Context) error {
	id := s.cfg.Identity
	if id == nil {
		return nil
	}
	req := agent.IdentityRequest{Entropy: make([]byte, entropyBytes), Hostname: id.Hostname, MachineID: id.MachineID}
	if _, err := rand.Read(req.Entropy); err != nil {
		return fmt.Errorf("host entropy: %w", err)
	}
	if n := s.cfg.VM.Network; n != nil {
		req.Network = &agent.IdentityNetwork{MAC: n.MAC, Config: networkConfig(n.KernelParam)}
	}
	req.WallClockNs = time.Now().UnixNano() // last: the clock is set from it
	if err := s.agent.Identity(ctx, req); err != nil {
		return fmt.Errorf("guest identity: %w", err)
	}
	trace.Mark("identity_set")
	return nil
}

// networkConfig is the value of a "pyro.net=VALUE" kernel parameter.
func networkConfig(kernelParam string) string {
	for i := 0; i < len(kernelParam); i++ {
		if kernelParam[i] == '=' {
			return kernelParam[i+1:]
		}
	}
	return kernelParam
}

// SaveAndStop implements api.Backend: it saves the ready VM's state to
// req.Path (Machine.Save, vCPUs stopped; RAM stays in the VM's memory file
// when it has one), then ends the VMM. The guest's host session is dropped
// first, so the saved agent waits for a new host.
//
// A save that fails ends nothing: the vCPUs run again and the agent is
// dialled again, so the VM is still ready (a pause that could not be saved
// loses no process and no unsynced write; the caller decides whether to stop
// it cleanly); only when it cannot run again is the VMM ended. Answers the
// state and the save's error. Errors wrap protocol.ErrVMNotRunning (not
// ready, or already stopping) or ErrInvalidArgument (no path), or are a
// save_failed *protocol.CodedError.
func (s *Supervisor) SaveAndStop(ctx context.Context, req protocol.SaveRequest) (protocol.State, error) {
	if req.Path == "" {
		return s.snapshot(), protocol.Errorf(protocol.ErrInvalidArgument, "save needs a path")
	}
	s.checkpointMu.Lock()
	defer s.checkpointMu.Unlock()
	if p := s.phase(); p != protocol.PhaseReady || s.stopRequested() {
		return s.snapshot(), protocol.Errorf(protocol.ErrVMNotRunning, "VM %q is %s", s.cfg.VM.VMID, p)
	}
	s.agent.Reset()
	time.Sleep(saveQuiesce)
	start := time.Now()
	if err := s.machine.Save(ctx, req.Path); err != nil {
		s.log.Error("save_failed", "error", err.Error())
		saveErr := protocol.Codef(protocol.CodeSaveFailed, "save VM state: %v", err)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), continueTimeout)
		defer cancel()
		contErr := s.machine.Continue(cctx)
		if contErr == nil {
			_, contErr = s.reachAgent(cctx)
		}
		if contErr == nil {
			return s.snapshot(), saveErr
		}
		s.log.Error("continue_failed", "error", contErr.Error())
		return s.endAfterSave(ctx), saveErr
	}
	s.log.Info("saved", "save_ms", time.Since(start).Milliseconds())
	return s.endAfterSave(ctx), nil
}

// endAfterSave ends the VMM of a saved (or broken) VM and answers the final
// state once the supervisor has wound down, or when ctx ends.
func (s *Supervisor) endAfterSave(ctx context.Context) protocol.State {
	s.stopOnce.Do(func() {
		close(s.stopReq)
		s.idle.Stop()
		s.update(func(st *protocol.State) { st.State = protocol.PhaseStopping })
		s.log.Info("shutdown", "mode", "save", "by", "api")
	})
	s.agent.Close()
	if _, stopErr := s.machine.Stop(context.Background(), false, 0); stopErr != nil {
		s.log.Info("vmm_stop_forced", "error", stopErr.Error())
	}
	select {
	case <-s.final:
	case <-ctx.Done():
	}
	return s.snapshot()
}
