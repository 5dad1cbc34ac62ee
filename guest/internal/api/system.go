package api

import (
	"fmt"
	"net/http"
	"time"
)

// powerOffDelay lets the HTTP/2 writer put the buffered response and its
// END_STREAM on the wire before the VM goes away.
const powerOffDelay = 100 * time.Millisecond

func (s *Server) info(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, InfoResponse{
		AgentVersion:    AgentVersion,
		ProtocolVersion: ProtocolVersion,
		Capabilities:    Capabilities,
		BootMs:          s.BootMs,
		Kernel:          s.Kernel,
	})
	return nil
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, HealthResponse{OK: true, UptimeMs: s.Uptime().Milliseconds()})
	return nil
}

func (s *Server) sync(w http.ResponseWriter, _ *http.Request) error {
	if err := s.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	writeJSON(w, http.StatusOK, OKResponse{OK: true})
	return nil
}

func (s *Server) poweroff(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, OKResponse{OK: true})
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	go func() {
		time.Sleep(powerOffDelay)
		if err := s.PowerOff(); err != nil {
			s.logf("pyro-agent: poweroff: %v", err)
		}
	}()
	return nil
}
