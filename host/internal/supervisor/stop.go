package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

const (
	// defaultPoweroffTimeout is how long a guest power-off may take, in ms,
	// when the request does not say.
	defaultPoweroffTimeout = 10 * time.Second
	// crashWait is how long a failed agent request waits for the VMM's exit
	// to be recorded, so its answer can name the crash.
	crashWait = 300 * time.Millisecond
)

// liveServiceStates are the guest service states during which its ports
// stay published.
var liveServiceStates = map[string]bool{"starting": true, "running": true, "ready": true}

// Shutdown implements api.Backend: "poweroff" asks the agent to flush and
// power off, then lets the driver stop the VMM gracefully within
// timeout_ms; anything else kills it. It returns the final state.
func (s *Supervisor) Shutdown(ctx context.Context, req protocol.ShutdownRequest) protocol.State {
	timeout := defaultPoweroffTimeout
	if req.TimeoutMs != nil && *req.TimeoutMs >= 0 {
		timeout = time.Duration(*req.TimeoutMs) * time.Millisecond
	}
	s.requestStop(req.Mode == "poweroff", timeout, "api")
	select {
	case <-s.final:
	case <-ctx.Done():
	}
	return s.snapshot()
}

// requestStop starts the VM's stop once; later calls do nothing.
func (s *Supervisor) requestStop(poweroff bool, timeout time.Duration, by string) {
	s.stopOnce.Do(func() {
		close(s.stopReq)
		s.idle.Stop()
		wasReady := false
		s.update(func(st *protocol.State) {
			wasReady = st.State == protocol.PhaseReady
			if st.State != protocol.PhaseExpired {
				st.State = protocol.PhaseStopping
			}
		})
		mode := "kill"
		if poweroff {
			mode = "poweroff"
		}
		s.log.Info("shutdown", "mode", mode, "by", by)
		go s.stop(poweroff && wasReady, timeout)
	})
}

// stop ends the VMM. A power-off of a ready VM goes through the agent first
// (it syncs, remounts / read-only and exits the VM); the driver then waits
// for the exit, gracefully, for what is left of timeout.
func (s *Supervisor) stop(poweroff bool, timeout time.Duration) {
	if !poweroff {
		s.machine.Kill()
		return
	}
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	status, err := s.agent.JSON(ctx, http.MethodPost, "/v1/poweroff", nil)
	cancel()
	if err != nil || status != http.StatusOK {
		s.log.Info("poweroff_not_acknowledged", "status", status, "error", fmt.Sprint(err))
	}
	if _, err := s.machine.Stop(context.Background(), true, time.Until(deadline)); err != nil {
		s.log.Info("vmm_stop_forced", "error", err.Error())
	}
}

// expire is the idle TTL's callback.
func (s *Supervisor) expire() {
	s.log.Info("ttl_expired", "ttl_seconds", s.cfg.TTLSeconds)
	s.update(func(st *protocol.State) { st.State = protocol.PhaseExpired })
	s.requestStop(false, 0, "ttl")
}

// onOwnerGone kills a one-shot VM whose owner died; finish then removes its
// directory, since nobody is left to delete it.
func (s *Supervisor) onOwnerGone() {
	s.log.Info("owner_gone", "owner_pid", *s.cfg.OwnerPID)
	s.ownerGone.Store(true)
	s.requestStop(false, 0, "owner")
}

// Terminate is the reaction to SIGTERM or SIGINT: kill the VM, record the end.
func (s *Supervisor) Terminate(signal string) {
	s.requestStop(false, 0, signal)
}

// Unreachable implements api.Backend. When the VMM is dying, the answer
// waits briefly for its exit so the message names the crash; otherwise it
// adds the VMM's view of the guest (QMP run state) to the channel error.
func (s *Supervisor) Unreachable(cause error) error {
	select {
	case <-s.machine.Done():
	case <-time.After(crashWait):
	}
	select {
	case <-s.machine.Done():
		if s.stopRequested() {
			return protocol.Errorf(protocol.ErrGuestUnreachable, "VM %q was stopped while the request ran", s.cfg.VM.VMID)
		}
		return protocol.Errorf(protocol.ErrGuestUnreachable, "VM %q stopped answering: its VMM %s (vmm_crashed)%s",
			s.cfg.VM.VMID, s.machine.Exit().Describe(), s.consolePart())
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), crashWait)
	defer cancel()
	status, err := s.machine.Status(ctx)
	if err != nil {
		status = "unknown"
	}
	return protocol.Errorf(protocol.ErrGuestUnreachable, "VM %q did not answer (guest run state %s): %w", s.cfg.VM.VMID, status, cause)
}

// openPortStream opens the agent's port stream to guestPort (ports.Opener).
func (s *Supervisor) openPortStream(ctx context.Context, guestPort int, body io.ReadCloser) (*http.Response, error) {
	if s.phase() != protocol.PhaseReady {
		body.Close()
		return nil, protocol.Errorf(protocol.ErrVMNotRunning, "VM is %s", s.phase())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://pyro-agent/v1/ports/"+strconv.Itoa(guestPort)+"/stream", body)
	if err != nil {
		body.Close()
		return nil, err
	}
	req.ContentLength = -1
	req.Header.Set("content-type", "application/octet-stream")
	return s.agent.RoundTrip(req)
}

// serviceLive asks the agent whether service still runs (ports.LiveCheck).
func (s *Supervisor) serviceLive(ctx context.Context, service string) (bool, error) {
	if s.phase() != protocol.PhaseReady {
		return false, errors.New("VM not ready")
	}
	var rec struct {
		State string `json:"state"`
	}
	status, err := s.agent.JSON(ctx, http.MethodGet, "/v1/services/"+url.PathEscape(service), &rec)
	switch {
	case err != nil:
		return false, err
	case status == http.StatusNotFound:
		return false, nil
	case status == http.StatusOK:
		return liveServiceStates[rec.State], nil
	}
	return false, fmt.Errorf("GET /v1/services/%s answered %d", service, status)
}
