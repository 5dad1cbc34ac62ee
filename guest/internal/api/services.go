package api

import (
	"net/http"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/services"
)

const (
	defaultTailLines = 100
	maxTailLines     = 1 << 20
)

// serviceStart answers only once readiness is decided (see services.Start).
func (s *Server) serviceStart(w http.ResponseWriter, r *http.Request) error {
	var req ServiceStartRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	env, err := s.withSecretEnv(req.Env, req.SecretEnv)
	if err != nil {
		return err
	}
	spec := services.Spec{Name: req.Name, Argv: req.Argv, Cwd: req.Cwd, Env: env}
	if rd := req.Readiness; rd != nil {
		spec.Readiness = services.Readiness{
			Type: rd.Type, Target: rd.Target,
			Timeout: msDuration(rd.TimeoutMs), Interval: msDuration(rd.IntervalMs),
		}
	}
	in, err := s.Services.Start(r.Context(), spec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, serviceRecord(in))
	return nil
}

// msDuration converts without overflow; out-of-range values stay out of
// range, for services to refuse.
func msDuration(v int64) time.Duration {
	return time.Duration(max(min(v, maxTimeoutMs), -1)) * time.Millisecond
}

func (s *Server) serviceList(w http.ResponseWriter, _ *http.Request) error {
	out := ServiceList{Services: []ServiceRecord{}}
	for _, in := range s.Services.List() {
		out.Services = append(out.Services, serviceRecord(in))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) serviceGet(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.Services.Get(r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, serviceRecord(svc.Info()))
	return nil
}

func (s *Server) serviceLogs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	tail, err := intParam("tail_lines", q.Get("tail_lines"), defaultTailLines, maxTailLines)
	if err != nil {
		return err
	}
	all, err := boolParam("all", q.Get("all"))
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	logs, err := s.Services.Logs(name, int(tail), all)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ServiceLogs{
		ServiceName: name, Stdout: logs.Stdout, Stderr: logs.Stderr, Truncated: logs.Truncated,
	})
	return nil
}

func (s *Server) serviceStop(w http.ResponseWriter, r *http.Request) error {
	var req ServiceStopRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	grace := services.DefaultGrace
	if req.GraceMs != nil {
		if *req.GraceMs < 0 || *req.GraceMs > services.MaxGrace.Milliseconds() {
			return invalidf("grace_ms must be 0..%d", services.MaxGrace.Milliseconds())
		}
		grace = time.Duration(*req.GraceMs) * time.Millisecond
	}
	in, err := s.Services.Stop(r.PathValue("name"), grace)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, serviceRecord(in))
	return nil
}
