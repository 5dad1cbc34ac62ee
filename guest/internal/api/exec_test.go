package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestExec(t *testing.T) {
	noexec := filepath.Join(t.TempDir(), "noexec")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		req        ExecRequest
		stdin      string
		wantOut    string
		wantErr    string
		wantCode   int
		wantSignal string
		wantTimed  bool
		wantB64    bool
		maxElapsed time.Duration
	}{
		{name: "stdout and stderr", req: ExecRequest{Argv: []string{"sh", "-c", "echo out; echo err >&2"}},
			wantOut: "out\n", wantErr: "err\n"},
		{name: "exit code 7", req: ExecRequest{Argv: []string{"sh", "-c", "exit 7"}}, wantCode: 7},
		{name: "killed by signal", req: ExecRequest{Argv: []string{"sh", "-c", "kill -TERM $$"}},
			wantCode: 143, wantSignal: "TERM"},
		{name: "timeout kills the whole group",
			req:      ExecRequest{Argv: []string{"sh", "-c", "sleep 30 & sleep 30"}, TimeoutMs: 300},
			wantCode: 137, wantSignal: "KILL", wantTimed: true, maxElapsed: 3 * time.Second},
		{name: "background grandchild holding stdout does not hang",
			req:     ExecRequest{Argv: []string{"sh", "-c", "sleep 30 & echo done"}},
			wantOut: "done\n", maxElapsed: 3 * time.Second},
		{name: "stdin streamed", req: ExecRequest{Argv: []string{"cat"}, Stdin: true},
			stdin: "hello\nworld", wantOut: "hello\nworld"},
		{name: "stdin is /dev/null by default", req: ExecRequest{Argv: []string{"cat"}}},
		{name: "env and cwd",
			req:     ExecRequest{Argv: []string{"sh", "-c", `echo "$FOO $PWD $HOME $LANG"`}, Env: map[string]string{"FOO": "bar"}, Cwd: "/tmp"},
			wantOut: "bar /tmp /root C.UTF-8\n"},
		{name: "PATH from env is used for lookup",
			req:      ExecRequest{Argv: []string{"sh"}, Env: map[string]string{"PATH": "/nonexistent"}},
			wantErr:  "pyro-agent: exec \"sh\": executable file not found in $PATH\n",
			wantCode: 127},
		{name: "missing binary", req: ExecRequest{Argv: []string{"/nonexistent/pyro-test"}},
			wantErr: "pyro-agent: exec \"/nonexistent/pyro-test\": no such file or directory\n", wantCode: 127},
		{name: "missing command in PATH", req: ExecRequest{Argv: []string{"pyro-no-such-command"}},
			wantErr: "pyro-agent: exec \"pyro-no-such-command\": executable file not found in $PATH\n", wantCode: 127},
		{name: "not executable", req: ExecRequest{Argv: []string{noexec}},
			wantErr: "pyro-agent: exec \"" + noexec + "\": permission denied\n", wantCode: 126},
		{name: "invalid UTF-8 arrives intact", req: ExecRequest{Argv: []string{"printf", `a\377b`}},
			wantOut: "a\xffb", wantB64: true},
		{name: "rune split across writes", req: ExecRequest{Argv: []string{"sh", "-c", `printf '\303'; sleep 0.2; printf '\251'`}},
			wantOut: "é"},
		{name: "large output", req: ExecRequest{Argv: []string{"sh", "-c", "yes 0123456789 | head -c 300000"}},
			wantOut: strings.Repeat("0123456789\n", 300000/11+1)[:300000]},
	}
	c := newClient(t, testServer(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body io.Reader
			if tt.stdin != "" {
				body = strings.NewReader(tt.stdin)
			}
			start := time.Now()
			got := readEvents(t, postExec(context.Background(), t, c, specHeader(t, tt.req), body))
			elapsed := time.Since(start)
			if got.pid > 0 {
				t.Cleanup(func() { _ = unix.Kill(-got.pid, unix.SIGKILL) })
			}
			if got.sawB64 != tt.wantB64 {
				t.Errorf("data_b64 used: %v, want %v", got.sawB64, tt.wantB64)
			}
			if got.stdout != tt.wantOut || got.stderr != tt.wantErr {
				t.Errorf("stdout %q stderr %q, want %q %q", trim(got.stdout), got.stderr, trim(tt.wantOut), tt.wantErr)
			}
			e := got.exit
			if e.ExitCode != tt.wantCode || e.Signal != tt.wantSignal || e.TimedOut != tt.wantTimed {
				t.Errorf("exit %+v, want code %d signal %q timed_out %v", e, tt.wantCode, tt.wantSignal, tt.wantTimed)
			}
			if tt.maxElapsed > 0 && elapsed > tt.maxElapsed {
				t.Errorf("took %v, want < %v", elapsed, tt.maxElapsed)
			}
			if tt.wantTimed {
				waitGroupGone(t, got.pid)
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// waitGroupGone fails unless every process of group pgid is gone soon.
func waitGroupGone(t *testing.T, pgid int) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		if err := unix.Kill(-pgid, 0); errors.Is(err, unix.ESRCH) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("process group %d still alive", pgid)
}

// TestExecStreamsBothWays proves output is flushed per event and stdin is
// fed while the process runs: the second line is only sent after the first
// output arrived.
func TestExecStreamsBothWays(t *testing.T) {
	c := newClient(t, testServer(t))
	pr, pw := io.Pipe()
	defer pw.Close()
	header := specHeader(t, ExecRequest{Argv: []string{"sh", "-c", `echo ready; read x; echo "got $x"`}, Stdin: true})
	resp := postExec(context.Background(), t, c, header, pr)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var lines []string
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, ev.Type+":"+ev.Data)
		if ev.Type == "stdout" && ev.Data == "ready\n" {
			if _, err := io.WriteString(pw, "ping\n"); err != nil {
				t.Fatal(err)
			}
			pw.Close()
		}
	}
	want := []string{"started:", "stdout:ready\n", "stdout:got ping\n", "exit:"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", lines, want)
	}
}

// TestExecCancelKillsGroup: a host that resets the stream must not leave
// the command running.
func TestExecCancelKillsGroup(t *testing.T) {
	c := newClient(t, testServer(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	header := specHeader(t, ExecRequest{Argv: []string{"sh", "-c", "sleep 30 & sleep 30"}})
	resp := postExec(ctx, t, c, header, nil)
	var ev event
	if err := json.NewDecoder(resp.Body).Decode(&ev); err != nil || ev.Type != "started" {
		t.Fatalf("first event %+v, %v", ev, err)
	}
	cancel()
	resp.Body.Close()
	waitGroupGone(t, ev.Pid)
}

func TestExecInvalidSpec(t *testing.T) {
	tests := []struct{ name, header, wantMsg string }{
		{"missing header", "", "missing pyro-exec header"},
		{"not JSON", "{argv", "pyro-exec header"},
		{"unknown field", `{"argv":["true"],"tty":true}`, "unknown field"},
		{"no argv", `{}`, "argv must be non-empty"},
		{"empty argv0", `{"argv":[""]}`, "argv must be non-empty"},
		{"negative timeout", `{"argv":["true"],"timeout_ms":-1}`, "timeout_ms"},
		{"timeout overflows", `{"argv":["true"],"timeout_ms":9223372036854775}`, "timeout_ms"},
		{"relative cwd", `{"argv":["true"],"cwd":"tmp"}`, "absolute"},
		{"missing cwd", `{"argv":["true"],"cwd":"/nonexistent/pyro"}`, "not an existing directory"},
		{"bad env name", `{"argv":["true"],"env":{"A=B":"x"}}`, "env"},
	}
	c := newClient(t, testServer(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := postExec(context.Background(), t, c, tt.header, nil)
			defer resp.Body.Close()
			var body ErrorResponse
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 400 || body.Error.Code != "invalid_argument" ||
				!strings.Contains(body.Error.Message, tt.wantMsg) {
				t.Errorf("got %d %+v, want 400 invalid_argument containing %q", resp.StatusCode, body, tt.wantMsg)
			}
		})
	}
}
