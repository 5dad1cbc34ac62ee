// Package services runs long-lived processes in their own process groups,
// with output to capped log files and readiness probes that decide when a
// start has succeeded. State lives in memory: the agent lives as long as
// the VM.
package services

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

var (
	ErrNotFound = errors.New("service not found")
	ErrExists   = errors.New("service already running")
	ErrInvalid  = errors.New("invalid argument")
)

// DefaultWorkspace is the working directory when a spec names none (if it
// exists; else "/").
var DefaultWorkspace = "/workspace"

// Readiness probe types.
const (
	ProbeNone    = "none"
	ProbeFile    = "file"
	ProbeTCP     = "tcp"
	ProbeHTTP    = "http"
	ProbeCommand = "command"
)

const (
	defaultTimeout  = 30 * time.Second
	defaultInterval = 500 * time.Millisecond
	maxTimeout      = time.Hour
	maxInterval     = time.Minute
	DefaultGrace    = 5 * time.Second
	MaxGrace        = 10 * time.Minute
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Spec describes a service; zero values take the protocol defaults.
type Spec struct {
	Name      string
	Argv      []string
	Cwd       string
	Env       map[string]string
	Readiness Readiness
}

type Readiness struct {
	Type     string // ProbeNone, ... ("" = none)
	Target   string
	Timeout  time.Duration
	Interval time.Duration
}

// normalize fills in defaults and validates; errors wrap ErrInvalid.
func (s *Spec) normalize() error {
	if !nameRE.MatchString(s.Name) {
		return invalidf("name %q must match %s", s.Name, nameRE)
	}
	if len(s.Argv) == 0 || s.Argv[0] == "" {
		return invalidf("argv must be non-empty")
	}
	for i, a := range s.Argv {
		if strings.IndexByte(a, 0) >= 0 {
			return invalidf("argv[%d] contains a NUL byte", i)
		}
	}
	for k, v := range s.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.IndexByte(v, 0) >= 0 {
			return invalidf("env %q: names must be non-empty without '=' or NUL, values without NUL", k)
		}
	}
	if s.Cwd == "" {
		s.Cwd = "/"
		if fi, err := os.Stat(DefaultWorkspace); err == nil && fi.IsDir() {
			s.Cwd = DefaultWorkspace
		}
	}
	if !filepath.IsAbs(s.Cwd) {
		return invalidf("cwd %q must be an absolute path", s.Cwd)
	}
	if fi, err := os.Stat(s.Cwd); err != nil || !fi.IsDir() {
		return invalidf("cwd %q is not an existing directory", s.Cwd)
	}
	return s.Readiness.normalize()
}

func (r *Readiness) normalize() error {
	switch r.Type {
	case "", ProbeNone:
		r.Type = ProbeNone
	case ProbeFile, ProbeCommand:
		if r.Target == "" {
			return invalidf("readiness %s needs a target", r.Type)
		}
	case ProbeTCP:
		if _, _, err := net.SplitHostPort(r.Target); err != nil {
			return invalidf("readiness tcp target %q must be HOST:PORT", r.Target)
		}
	case ProbeHTTP:
		if u, err := url.Parse(r.Target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidf("readiness http target %q must be an http:// or https:// URL", r.Target)
		}
	default:
		return invalidf("readiness type %q (want none, file, tcp, http or command)", r.Type)
	}
	if r.Timeout == 0 {
		r.Timeout = defaultTimeout
	}
	if r.Interval == 0 {
		r.Interval = defaultInterval
	}
	if r.Timeout < 0 || r.Timeout > maxTimeout {
		return invalidf("readiness timeout_ms must be 0..%d", maxTimeout.Milliseconds())
	}
	if r.Interval < 0 || r.Interval > maxInterval {
		return invalidf("readiness interval_ms must be 0..%d", maxInterval.Milliseconds())
	}
	return nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
