package api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// withSecrets is a client of a fresh server holding values (name -> value).
func withSecrets(t *testing.T, values map[string]string) *http.Client {
	t.Helper()
	c := newClient(t, testServer(t))
	callOK(t, c, "PUT", "/v1/secrets", secretsBody(values), nil)
	return c
}

func TestExecRedaction(t *testing.T) {
	c := withSecrets(t, map[string]string{
		"TOKEN": "s3cr3t-t0ken", "SPLIT": "abcdef", "SHORT": "abc", "UNI": "pässwört", "PATH_LIKE": "/nonexistent/s3cr3t",
	})
	tests := []struct {
		name             string
		req              ExecRequest
		wantOut, wantErr string
	}{
		{"secret_env reaches the process, its value never the host",
			ExecRequest{Argv: []string{"sh", "-c", `echo "$GH"; printf %s "$GH" | wc -c; echo "$GH" >&2`},
				SecretEnv: map[string]string{"GH": "TOKEN"}},
			"[REDACTED]\n12\n", "[REDACTED]\n"},
		{"split across writes",
			ExecRequest{Argv: []string{"sh", "-c", `printf ab; sleep 0.1; printf cd; sleep 0.1; printf 'ef\n'`}},
			"[REDACTED]\n", ""},
		{"longest value wins", ExecRequest{Argv: []string{"printf", `abcdefg abcx`}},
			"[REDACTED]g [REDACTED]x", ""},
		{"prefix held until exit is sent as is", ExecRequest{Argv: []string{"printf", `x abcde`}},
			"x [REDACTED]de", ""},
		{"split inside a multi-byte rune",
			ExecRequest{Argv: []string{"sh", "-c", `printf 'é p\303'; sleep 0.1; printf '\244ssw\303'; sleep 0.1; printf '\266rt é\n'`}},
			"é [REDACTED] é\n", ""},
		{"spawn failure message", ExecRequest{Argv: []string{"/nonexistent/s3cr3t"}},
			"", "pyro-agent: exec \"[REDACTED]\": no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := readEvents(t, postExec(context.Background(), t, c, specHeader(t, tt.req), nil))
			if got.stdout != tt.wantOut || got.stderr != tt.wantErr || got.sawB64 {
				t.Errorf("stdout %q stderr %q (b64 %v), want %q %q", got.stdout, got.stderr, got.sawB64, tt.wantOut, tt.wantErr)
			}
		})
	}
}

// The agent's own messages quote what the host sent, which may hold a
// secret (here a cwd that does not exist).
func TestErrorMessageRedaction(t *testing.T) {
	c := withSecrets(t, map[string]string{"P": "/nonexistent/s3cr3t"})
	resp := postExec(context.Background(), t, c, specHeader(t, ExecRequest{Argv: []string{"true"}, Cwd: "/nonexistent/s3cr3t"}), nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	want := `{"error":{"code":"invalid_argument","message":"invalid argument: cwd \"[REDACTED]\" is not an existing directory"}}`
	if resp.StatusCode != 400 || strings.TrimSpace(string(b)) != want {
		t.Errorf("got %d %s, want %s", resp.StatusCode, b, want)
	}
}

func TestShellRedaction(t *testing.T) {
	s := testServer(t)
	c := newClient(t, s)
	callOK(t, c, "PUT", "/v1/secrets", secretsBody(map[string]string{"TOKEN": "s3cr3t-t0ken", "HELD": "abcdef"}), nil)
	sh := openShell(t, c, ShellOpenRequest{SecretEnv: map[string]string{"GH": "TOKEN"}})
	shellInput(t, c, sh.ShellID, "echo \"[$GH]\"\n")
	out, cursor := waitOutput(t, c, sh.ShellID, 0, "[[REDACTED]]")

	// A secret set after the shell opened is redacted too, in the echo of
	// the typed line as much as in the output.
	callOK(t, c, "PUT", "/v1/secrets", secretsBody(map[string]string{"TOKEN": "s3cr3t-t0ken", "HELD": "abcdef", "LATER": "l4ter-v4lue"}), nil)
	shellInput(t, c, sh.ShellID, "echo l4ter-v4lue done-$((6*7))\n")
	more, cursor := waitOutput(t, c, sh.ShellID, cursor, "done-42")
	out += more

	// Output ending in the start of a secret is released once the shell
	// has been quiet for a while, not held until the next output.
	shellInput(t, c, sh.ShellID, "printf '\\141\\142\\143'; sleep 30\n")
	more, _ = waitOutput(t, c, sh.ShellID, cursor, "abc")
	out += more
	for _, v := range []string{"s3cr3t-t0ken", "l4ter-v4lue"} {
		if strings.Contains(out, v) {
			t.Errorf("output %q contains %q", out, v)
		}
	}
	if !strings.Contains(out, "[REDACTED] done-42") {
		t.Errorf("output %q lacks the redacted later secret", out)
	}
	if !utf8.ValidString(out) {
		t.Errorf("output %q", out)
	}
}

func TestServiceRedaction(t *testing.T) {
	c := withSecrets(t, map[string]string{"KEY": "s3cr3t-k3y"})
	startService(t, c, ServiceStartRequest{
		Name: "leaky", Argv: []string{"sh", "-c", `echo "key=$K"; printf 's3cr'; sleep 0.1; printf '3t-k3y\n' >&1; echo "$K" >&2; exec sleep 100`},
		Cwd: t.TempDir(), SecretEnv: map[string]string{"K": "KEY"},
	})
	var logs ServiceLogs
	eventually(t, "output logged", func() bool {
		callOK(t, c, "GET", "/v1/services/leaky/logs?all=1", nil, &logs)
		return logs.Stdout == "key=[REDACTED]\n[REDACTED]\n" && logs.Stderr == "[REDACTED]\n"
	})
}
