package api

import (
	"math"
	"net/http"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/shells"
)

// Limits of GET /v1/shells/{id}/output (milliseconds for the waits).
const (
	defaultOutputBytes = 64 << 10
	maxOutputBytes     = 16 << 20
	maxIdleMs          = 60000
	defaultWaitMs      = 10000
	maxWaitMs          = 60000
)

func (s *Server) shellOpen(w http.ResponseWriter, r *http.Request) error {
	var req ShellOpenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	env, err := s.withSecretEnv(req.Env, req.SecretEnv)
	if err != nil {
		return err
	}
	sh, err := s.Shells.Open(shells.Options{Cwd: req.Cwd, Cols: req.Cols, Rows: req.Rows, Env: env})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shellRecord(sh.Info()))
	return nil
}

func (s *Server) shellList(w http.ResponseWriter, _ *http.Request) error {
	out := ShellList{Shells: []ShellRecord{}}
	for _, in := range s.Shells.List() {
		out.Shells = append(out.Shells, shellRecord(in))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) shellGet(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.Shells.Get(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shellRecord(sh.Info()))
	return nil
}

func (s *Server) shellClose(w http.ResponseWriter, r *http.Request) error {
	in, err := s.Shells.Close(r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shellRecord(in))
	return nil
}

func (s *Server) shellOutput(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cursor, err := intParam("cursor", q.Get("cursor"), 0, 1<<62)
	if err != nil {
		return err
	}
	maxBytes, err := intParam("max_bytes", q.Get("max_bytes"), defaultOutputBytes, maxOutputBytes)
	if err != nil {
		return err
	}
	// The waits are capped rather than refused: the host may derive
	// timeout_ms from the idle time it wants (e.g. 4x), past the cap.
	idle, err := intParam("wait_for_idle_ms", q.Get("wait_for_idle_ms"), 0, math.MaxInt64)
	if err != nil {
		return err
	}
	limit, err := intParam("timeout_ms", q.Get("timeout_ms"), defaultWaitMs, math.MaxInt64)
	if err != nil {
		return err
	}
	idle, limit = min(idle, maxIdleMs), min(limit, maxWaitMs)
	sh, err := s.Shells.Get(r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := sh.Output(r.Context(), cursor, int(maxBytes),
		time.Duration(idle)*time.Millisecond, time.Duration(limit)*time.Millisecond)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ShellOutput{
		Cursor: cursor, NextCursor: out.Next, Output: string(out.Data),
		Truncated: out.More, Dropped: out.Dropped,
		State: shellState(out.Info.Running), ExitCode: out.Info.ExitCode,
	})
	return nil
}

func (s *Server) shellInput(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.Shells.Get(r.PathValue("id"))
	if err != nil {
		return err
	}
	n, err := sh.Input(r.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ShellInputResult{Bytes: n})
	return nil
}

func (s *Server) shellSignal(w http.ResponseWriter, r *http.Request) error {
	var req ShellSignalRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sh, err := s.Shells.Get(r.PathValue("id"))
	if err != nil {
		return err
	}
	pgid, err := sh.Signal(req.Signal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ShellSignalResult{Signal: req.Signal, Pgid: pgid})
	return nil
}

func (s *Server) shellResize(w http.ResponseWriter, r *http.Request) error {
	var req ShellResizeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sh, err := s.Shells.Get(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := sh.Resize(req.Cols, req.Rows); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shellRecord(sh.Info()))
	return nil
}

// shellAttach streams the request body to the PTY and the PTY's output
// back, both as raw bytes, until the shell exits or the host cancels.
func (s *Server) shellAttach(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.Shells.Get(r.PathValue("id"))
	if err != nil {
		return err
	}
	write, ok := startRawStream(w)
	if !ok {
		return nil // the host is gone already
	}
	// The host detaching is the normal end.
	return rawStreamEnd(r, sh.Attach(r.Context(), r.Body, write))
}
