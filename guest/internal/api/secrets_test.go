package api

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pyro-mcp/pyro/guest/internal/secrets"
)

// secretsBody is the PUT /v1/secrets body for values (name -> value).
func secretsBody(values map[string]string) SecretsRequest {
	req := SecretsRequest{Secrets: []SecretEntry{}}
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		req.Secrets = append(req.Secrets, SecretEntry{Name: n, ValueB64: base64.StdEncoding.EncodeToString([]byte(values[n]))})
	}
	return req
}

func TestSecretsPut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pyro-secrets")
	s := testServer(t)
	s.Secrets = secrets.NewStore(dir, nil)
	c := newClient(t, s)

	var res SecretsResult
	callOK(t, c, "PUT", "/v1/secrets", secretsBody(map[string]string{"TOKEN": "t0k", "API_KEY": "k\x00y"}), &res)
	if !reflect.DeepEqual(res.Names, []string{"API_KEY", "TOKEN"}) {
		t.Errorf("names %q", res.Names)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "API_KEY")); err != nil || string(b) != "k\x00y" {
		t.Errorf("API_KEY file %q, %v", b, err)
	}
	callOK(t, c, "PUT", "/v1/secrets", secretsBody(map[string]string{"TOKEN": "n3w"}), &res)
	if _, err := os.Stat(filepath.Join(dir, "API_KEY")); !os.IsNotExist(err) || !reflect.DeepEqual(res.Names, []string{"TOKEN"}) {
		t.Errorf("after replace: names %q, API_KEY file %v", res.Names, err)
	}
	status, body := send(t, c, "PUT", "/v1/secrets", `{"secrets":[]}`)
	if entries, _ := os.ReadDir(dir); status != 200 || string(body) != "{\"names\":[]}\n" || len(entries) != 0 {
		t.Errorf("clear: %d %s, files %v", status, body, entries)
	}
}

// Every refusal is invalid_argument, and no message quotes a value.
func TestSecretsPutInvalid(t *testing.T) {
	const value = "v4lue-that-must-not-leak"
	b64 := base64.StdEncoding.EncodeToString([]byte(value))
	entry := func(name, v string) string { return fmt.Sprintf(`{"name":%q,"value_b64":%q}`, name, v) }
	many := make([]string, secrets.MaxSecrets+1)
	for i := range many {
		many[i] = entry(fmt.Sprintf("S%d", i), b64)
	}
	big := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(value, secrets.MaxValueLen/len(value)+1)))
	tests := []struct{ name, body string }{
		{"missing secrets", `{}`},
		{"null secrets", `{"secrets":null}`},
		{"empty body", ``},
		{"unknown field", `{"secrets":[],"merge":true}`},
		{"syntax error inside a value", `{"secrets":[{"name":"A","value_b64":"` + value + `\q"}]}`},
		{"value of the wrong type", `{"secrets":[{"name":"A","value_b64":42}]}`},
		{"bad name", `{"secrets":[` + entry("1A", b64) + `]}`},
		{"name too long", `{"secrets":[` + entry("A"+strings.Repeat("b", 64), b64) + `]}`},
		{"duplicate", `{"secrets":[` + entry("A", b64) + `,` + entry("A", b64) + `]}`},
		{"empty value", `{"secrets":[` + entry("A", "") + `]}`},
		{"value too long", `{"secrets":[` + entry("A", big) + `]}`},
		{"not base64", `{"secrets":[` + entry("A", value) + `]}`},
		{"too many", `{"secrets":[` + strings.Join(many, ",") + `]}`},
	}
	c := newClient(t, testServer(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := send(t, c, "PUT", "/v1/secrets", tt.body)
			if status != 400 || !strings.Contains(string(body), `"code":"invalid_argument"`) {
				t.Errorf("got %d %s", status, body)
			}
			if strings.Contains(string(body), value) || strings.Contains(string(body), "v4lue") {
				t.Errorf("message leaks the value: %s", body)
			}
		})
	}
}

func TestSecretEnvRefusals(t *testing.T) {
	c := newClient(t, testServer(t))
	callOK(t, c, "PUT", "/v1/secrets", secretsBody(map[string]string{"TOKEN": "t0ken"}), nil)
	exec := func(req ExecRequest) (int, string) {
		t.Helper()
		resp := postExec(t.Context(), t, c, specHeader(t, req), nil)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	argv := []string{"true"}
	status, body := exec(ExecRequest{Argv: argv, SecretEnv: map[string]string{"GH": "NOPE"}})
	if want := `{"error":{"code":"secret_not_found","message":"no secret \"NOPE\""}}`; status != 400 || body != want {
		t.Errorf("unknown secret: %d %s, want 400 %s", status, body, want)
	}
	for _, req := range []ExecRequest{
		{Argv: argv, SecretEnv: map[string]string{"1GH": "TOKEN"}},
		{Argv: argv, SecretEnv: map[string]string{"G-H": "TOKEN"}},
		{Argv: argv, Env: map[string]string{"GH": "x"}, SecretEnv: map[string]string{"GH": "TOKEN"}},
	} {
		if status, body := exec(req); status != 400 || !strings.Contains(body, `"invalid_argument"`) {
			t.Errorf("%+v: %d %s", req.SecretEnv, status, body)
		}
	}
	wantError(t, c, "POST", "/v1/shells", ShellOpenRequest{SecretEnv: map[string]string{"GH": "NOPE"}}, 400, "secret_not_found")
	wantError(t, c, "POST", "/v1/services", ServiceStartRequest{Name: "web", Argv: argv,
		SecretEnv: map[string]string{"GH": "NOPE"}}, 400, "secret_not_found")
}
