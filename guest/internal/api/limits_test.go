package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
)

// limitsServer has a cgroup manager on a plain directory: no controller
// files, so limits are computed and reported but nothing is enforced.
func limitsServer(t *testing.T) *Server {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "cgroup.controllers"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	m, _ := cgroups.New(root, cgroups.Machine{MemTotal: 1 << 30, ThreadsMax: 8192}, os.Getpid())
	if m == nil {
		t.Fatal("no manager")
	}
	s := testServer(t)
	s.Cgroups = m
	return s
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name, method, body string
		nilCgroups         bool
		wantStatus         int
		want               string // substring of the body
	}{
		{"without cgroup v2 nothing is limited", "GET", "", true, 200, `"enabled":false`},
		{"defaults", "GET", "", false, 200, `"enabled":true,"max_pids":3840,"user_pids_max":7680`},
		{"set", "PUT", `{"max_pids":100}`, false, 200, `"max_pids":100,`},
		{"0 is the default again", "PUT", `{"max_pids":0}`, false, 200, `"max_pids":3840,`},
		{"missing field", "PUT", `{}`, false, 400, `"invalid_argument"`},
		{"negative", "PUT", `{"max_pids":-1}`, false, 400, `"invalid_argument"`},
		{"above PID_MAX_LIMIT", "PUT", `{"max_pids":4194305}`, false, 400, `"invalid_argument"`},
		{"unknown field", "PUT", `{"max_pids":1,"memory":2}`, false, 400, `"invalid_argument"`},
		{"not JSON", "PUT", `max_pids=1`, false, 400, `"invalid_argument"`},
		{"set without cgroup v2 is accepted, still unlimited", "PUT", `{"max_pids":100}`, true, 200, `"enabled":false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testServer(t)
			if !tt.nilCgroups {
				s = limitsServer(t)
			}
			c := newClient(t, s)
			var body any
			if tt.body != "" {
				body = tt.body
			}
			status, got := send(t, c, tt.method, "/v1/limits", body)
			if status != tt.wantStatus || !strings.Contains(string(got), tt.want) {
				t.Errorf("got %d %s, want %d with %s", status, got, tt.wantStatus, tt.want)
			}
			if status == 200 {
				var rec LimitsRecord
				dec := json.NewDecoder(strings.NewReader(string(got)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&rec); err != nil {
					t.Errorf("record %s: %v", got, err)
				}
			}
		})
	}
}
