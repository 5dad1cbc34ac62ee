package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
	"github.com/pyro-mcp/pyro/guest/internal/execproc"
)

func (s *Server) exec(w http.ResponseWriter, r *http.Request) error {
	req, err := parseExecRequest(r.Header.Get(ExecHeader))
	if err != nil {
		return err
	}
	if fi, err := os.Stat(req.Cwd); err != nil || !fi.IsDir() {
		return invalidf("cwd %q is not an existing directory", req.Cwd)
	}
	env, err := s.withSecretEnv(req.Env, req.SecretEnv)
	if err != nil {
		return err
	}
	spec := execproc.Spec{
		Argv:    req.Argv,
		Env:     execproc.MergeEnv(execproc.BaseEnv, env),
		Dir:     req.Cwd,
		Timeout: time.Duration(req.TimeoutMs) * time.Millisecond,
	}
	if req.Stdin {
		spec.Stdin = r.Body
	}
	// Every exec gets its own leaf; one that cannot is refused rather than
	// run without limits.
	leaf, err := s.Cgroups.ExecLeaf()
	if err != nil {
		return fmt.Errorf("exec %q: %w", req.Argv[0], err)
	}
	// Removing the leaf (rmdir) is not the caller's business: it happens
	// while the answer's last frame is on its way.
	defer func() { go leaf.Release() }()
	spec.Cgroup = leaf
	ev := newEventWriter(w, s.secretValues)
	res, err := execproc.Run(r.Context(), spec, ev)
	if err != nil {
		return fmt.Errorf("exec %q: %w", req.Argv[0], err)
	}
	// Only a failed command needs the explanation; a success skips reading
	// memory.events (milliseconds under emulation).
	if res.ExitCode != 0 {
		if n := leaf.OOMKills(); n > 0 {
			_ = ev.Output(execproc.Stderr, []byte(oomNote(n, s.Cgroups.Limits())))
		}
	}
	ev.flush()
	_ = ev.writeBuffered(ExitEvent{ // sent with the end of the stream
		Type: "exit", ExitCode: res.ExitCode, Signal: res.Signal,
		TimedOut: res.TimedOut, DurationMs: res.Duration.Milliseconds(),
	})
	return nil
}

// oomNote tells the caller why processes of its command died: the kernel
// gives them SIGKILL (exit 137) and says nothing on their stderr.
func oomNote(n int64, l cgroups.Limits) string {
	return fmt.Sprintf("pyro-agent: out of memory: the kernel killed %d process(es) of this command "+
		"(memory.max %d MiB for user processes)\n", n, l.UserMemoryMax>>20)
}

// maxTimeoutMs keeps the timeout within time.Duration (about 292 years).
const maxTimeoutMs = int64(math.MaxInt64 / time.Millisecond)

// parseExecRequest decodes and validates the pyro-exec header. Unknown
// fields are refused: a newer host must not have options silently ignored.
func parseExecRequest(header string) (ExecRequest, error) {
	var req ExecRequest
	if header == "" {
		return req, invalidf("missing %s header", ExecHeader)
	}
	dec := json.NewDecoder(strings.NewReader(header))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, invalidf("%s header: %v", ExecHeader, err)
	}
	if len(req.Argv) == 0 || req.Argv[0] == "" {
		return req, invalidf("argv must be non-empty")
	}
	for i, a := range req.Argv {
		if strings.IndexByte(a, 0) >= 0 {
			return req, invalidf("argv[%d] contains a NUL byte", i)
		}
	}
	for k, v := range req.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.IndexByte(v, 0) >= 0 {
			return req, invalidf("env %q: names must be non-empty without '=' or NUL, values without NUL", k)
		}
	}
	if req.Cwd == "" {
		req.Cwd = "/"
	}
	if !filepath.IsAbs(req.Cwd) {
		return req, invalidf("cwd %q must be an absolute path", req.Cwd)
	}
	if req.TimeoutMs < 0 || req.TimeoutMs > maxTimeoutMs {
		return req, invalidf("timeout_ms must be between 0 and %d, got %d", maxTimeoutMs, req.TimeoutMs)
	}
	return req, nil
}
