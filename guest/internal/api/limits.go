package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxLimitsBody bounds a PUT /v1/limits body, in bytes.
const maxLimitsBody = 4 << 10

// MaxMaxPids is the largest max_pids accepted: the kernel's PID_MAX_LIMIT.
const MaxMaxPids = 4 << 20

func (s *Server) limitsGet(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, s.limitsRecord())
	return nil
}

func (s *Server) limitsPut(w http.ResponseWriter, r *http.Request) error {
	var req LimitsRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxLimitsBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return invalidf("limits body: %v", err)
	}
	if req.MaxPids == nil || *req.MaxPids < 0 || *req.MaxPids > MaxMaxPids {
		return invalidf("max_pids must be 0 (the default) to %d", MaxMaxPids)
	}
	if _, err := s.Cgroups.SetMaxPids(*req.MaxPids); err != nil {
		return fmt.Errorf("set max_pids %d: %w", *req.MaxPids, err)
	}
	writeJSON(w, http.StatusOK, s.limitsRecord())
	return nil
}

// limitsRecord is the limits in force and what user work uses now.
func (s *Server) limitsRecord() LimitsRecord {
	if s.Cgroups == nil {
		return LimitsRecord{UserPidsCurrent: -1, UserMemoryCurrentBytes: -1}
	}
	l, u := s.Cgroups.Limits(), s.Cgroups.Usage()
	return LimitsRecord{
		Enabled: true, MaxPids: l.MaxPids, UserPidsMax: l.UserPidsMax,
		UserMemoryMaxBytes: l.UserMemoryMax, AgentMemoryMinBytes: l.AgentMemoryMin,
		UserProcessCount: u.Processes, UserPidsCurrent: u.PidsCurrent, UserMemoryCurrentBytes: u.MemoryCurrent,
	}
}
