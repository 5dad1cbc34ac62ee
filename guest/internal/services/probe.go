package services

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/execproc"
	"github.com/pyro-mcp/pyro/guest/internal/procgroup"
	"github.com/pyro-mcp/pyro/guest/internal/reaper"
)

// An http or tcp attempt gets the interval, within these bounds: a probe
// of a server that is not listening yet should fail fast, not hang.
const (
	minAttempt = 250 * time.Millisecond
	maxAttempt = 2 * time.Second
)

// probeClient takes any answer as proof of life: no proxies from the
// environment, redirects not followed, no idle connections kept.
var probeClient = &http.Client{
	Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// awaitReady probes every interval until the service is ready, its leader
// exits or the readiness timeout passes, then settles the start. A failed
// start leaves nothing of the group running.
func (s *Service) awaitReady() {
	defer close(s.settled)
	r := s.spec.Readiness
	if r.Type == ProbeNone {
		s.markReady()
		return
	}
	deadline := time.Now().Add(r.Timeout)
	timeout := time.NewTimer(r.Timeout)
	defer timeout.Stop()
	next := time.NewTimer(0)
	defer next.Stop()
	for {
		if s.probe(deadline) && s.markReady() {
			return
		}
		next.Reset(r.Interval)
		select {
		case <-s.done:
			if s.Info().State == StateFailed { // exited before ready
				s.killGroup()
			}
			return
		case <-timeout.C:
			if s.markFailed(ReasonReadinessTimeout) {
				s.killGroup()
			}
			<-s.done // failed: killed above; otherwise a stop is under way
			return
		case <-next.C:
		}
	}
}

func (s *Service) killGroup() {
	s.mu.Lock()
	pid := s.pid
	s.mu.Unlock()
	procgroup.Group(pid).Stop(syscall.SIGTERM, killGrace, s.done)
}

// probe makes one attempt; it gives up at deadline at the latest.
func (s *Service) probe(deadline time.Time) bool {
	r := s.spec.Readiness
	attempt := min(time.Until(deadline), max(r.Interval, minAttempt), maxAttempt)
	switch r.Type {
	case ProbeFile:
		p := r.Target
		if !filepath.IsAbs(p) {
			p = filepath.Join(s.spec.Cwd, p)
		}
		_, err := os.Stat(p)
		return err == nil
	case ProbeTCP:
		c, err := net.DialTimeout("tcp", r.Target, attempt)
		if err == nil {
			c.Close()
		}
		return err == nil
	case ProbeHTTP:
		return probeHTTP(r.Target, attempt)
	case ProbeCommand:
		return s.probeCommand(deadline)
	}
	return false
}

func probeHTTP(url string, attempt time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), attempt)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode < 500
}

// probeCommand runs `sh -c TARGET` in the service's cwd and environment,
// in a group of its own, killed if it outlasts the deadline or the service.
func (s *Service) probeCommand(deadline time.Time) bool {
	cmd := &exec.Cmd{
		Path: "/bin/sh", Args: []string{"sh", "-c", s.spec.Readiness.Target},
		Env: execproc.MergeEnv(execproc.BaseEnv, s.spec.Env), Dir: s.spec.Cwd,
		SysProcAttr: s.procAttr(), // nil streams are /dev/null
	}
	status, err := reaper.Start(cmd)
	if err != nil {
		return false
	}
	pid := cmd.Process.Pid
	_ = cmd.Process.Release()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case st := <-status:
		return st.Exited && st.Code == 0
	case <-t.C:
	case <-s.done:
	}
	procgroup.Group(pid).Signal(syscall.SIGKILL)
	<-status
	return false
}
