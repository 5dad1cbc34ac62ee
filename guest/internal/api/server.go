package api

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
	"github.com/pyro-mcp/pyro/guest/internal/redact"
	"github.com/pyro-mcp/pyro/guest/internal/secrets"
	"github.com/pyro-mcp/pyro/guest/internal/services"
	"github.com/pyro-mcp/pyro/guest/internal/shells"
)

// Server holds what the handlers need from the machine; the functions are
// injected so tests never sync disks or power anything off.
type Server struct {
	BootMs   int64                // guest uptime at agent start
	Kernel   string               // uname -r
	Uptime   func() time.Duration // guest uptime now
	Sync     func() error         // sync(2)
	PowerOff func() error         // runs after the response is on the wire
	Logf     func(string, ...any) // console log; nil = silent
	Shells   *shells.Manager      // PTY sessions
	Services *services.Manager    // long-running processes
	Secrets  *secrets.Store       // secret values: secret_env and redaction
	Cgroups  *cgroups.Manager     // confines each exec; nil = no cgroup v2 (nothing limited)
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handler routes /v1/ requests. A handler error becomes the JSON error body
// unless the response has already started; then the stream is reset, so
// the host never takes a cut-off body (a tar stream) for a complete one.
// A panic is recovered, since the agent is PID 1 and must outlive any
// single request.
func (s *Server) Handler() http.Handler {
	return s.route(map[string]handlerFunc{
		"GET /v1/info":      s.info,
		"GET /v1/health":    s.health,
		"POST /v1/exec":     s.exec,
		"POST /v1/sync":     s.sync,
		"POST /v1/poweroff": s.poweroff,

		"PUT /v1/files/tar":     s.filesTarPut,
		"GET /v1/files/tar":     s.filesTarGet,
		"GET /v1/files/list":    s.filesList,
		"GET /v1/files/read":    s.filesRead,
		"PUT /v1/files/write":   s.filesWrite,
		"POST /v1/files/remove": s.filesRemove,

		"POST /v1/shells":               s.shellOpen,
		"GET /v1/shells":                s.shellList,
		"GET /v1/shells/{id}":           s.shellGet,
		"DELETE /v1/shells/{id}":        s.shellClose,
		"GET /v1/shells/{id}/output":    s.shellOutput,
		"POST /v1/shells/{id}/input":    s.shellInput,
		"POST /v1/shells/{id}/signal":   s.shellSignal,
		"POST /v1/shells/{id}/resize":   s.shellResize,
		"GET /v1/shells/{id}/attach":    s.shellAttach,
		"POST /v1/services":             s.serviceStart,
		"GET /v1/services":              s.serviceList,
		"GET /v1/services/{name}":       s.serviceGet,
		"GET /v1/services/{name}/logs":  s.serviceLogs,
		"POST /v1/services/{name}/stop": s.serviceStop,

		"PUT /v1/secrets": s.secretsPut,

		"GET /v1/limits": s.limitsGet,
		"PUT /v1/limits": s.limitsPut,

		"POST /v1/ports/{port}/stream": s.portStream,
	})
}

func (s *Server) route(routes map[string]handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &trackingWriter{ResponseWriter: w}
		defer s.recoverPanic(rw, r)
		h, ok := lookup(routes, r)
		if !ok {
			s.writeError(rw, fmt.Errorf("%w %s %s", ErrNoRoute, r.Method, r.URL.Path))
			return
		}
		if err := h(rw, r); err != nil {
			if rw.wrote {
				s.logf("pyro-agent: %s %s: %v", r.Method, r.URL.Path, err)
				panic(http.ErrAbortHandler)
			}
			s.writeError(rw, err)
		}
	})
}

// lookup finds r's handler: an exact match first, then patterns whose
// {name} segments each match one non-empty segment, read by handlers with
// r.PathValue(name).
func lookup(routes map[string]handlerFunc, r *http.Request) (handlerFunc, bool) {
	if h, ok := routes[r.Method+" "+r.URL.Path]; ok {
		return h, true
	}
	got := strings.Split(r.URL.Path, "/")
	for key, h := range routes {
		method, pattern, _ := strings.Cut(key, " ")
		if method != r.Method || !strings.Contains(pattern, "{") {
			continue
		}
		want := strings.Split(pattern, "/")
		if len(want) != len(got) {
			continue
		}
		vals := map[string]string{}
		for i, w := range want {
			if name, ok := strings.CutPrefix(w, "{"); ok && got[i] != "" {
				vals[strings.TrimSuffix(name, "}")] = got[i]
			} else if w != got[i] {
				vals = nil
				break
			}
		}
		if vals != nil {
			for k, v := range vals {
				r.SetPathValue(k, v)
			}
			return h, true
		}
	}
	return nil, false
}

func (s *Server) recoverPanic(rw *trackingWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler { // a deliberate reset, already logged
		panic(p)
	}
	s.logf("pyro-agent: panic in %s %s: %v\n%s", r.Method, r.URL.Path, p, debug.Stack())
	if rw.wrote {
		panic(http.ErrAbortHandler) // reset the stream; the server recovers this
	}
	s.writeError(rw, fmt.Errorf("panic: %v", p))
}

// logf logs to the console, which the host keeps: secrets are redacted.
func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf("%s", redact.String(s.secretValues(), fmt.Sprintf(format, args...)))
	}
}

// secretValues is the redaction set (none without a store).
func (s *Server) secretValues() [][]byte {
	if s.Secrets == nil {
		return nil
	}
	return s.Secrets.Values()
}

// trackingWriter remembers whether the status line went out, which decides
// if an error can still be reported as a JSON error body.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) Flush() { _ = t.FlushError() }

// FlushError lets http.ResponseController report a vanished client.
func (t *trackingWriter) FlushError() error {
	t.wrote = true
	return http.NewResponseController(t.ResponseWriter).Flush()
}

func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
