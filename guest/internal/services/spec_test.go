package services

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	ok := func() Spec { return Spec{Name: "web", Argv: []string{"sleep", "1"}, Cwd: "/"} }
	with := func(f func(*Spec)) Spec { s := ok(); f(&s); return s }
	tests := []struct {
		name    string
		spec    Spec
		wantErr string // "" = valid
	}{
		{"minimal", ok(), ""},
		{"dots and dashes", with(func(s *Spec) { s.Name = "a.b_c-1" }), ""},
		{"64 chars", with(func(s *Spec) { s.Name = strings.Repeat("a", 64) }), ""},
		{"65 chars", with(func(s *Spec) { s.Name = strings.Repeat("a", 65) }), "name"},
		{"leading dot", with(func(s *Spec) { s.Name = ".hidden" }), "name"},
		{"slash", with(func(s *Spec) { s.Name = "a/b" }), "name"},
		{"empty argv", with(func(s *Spec) { s.Argv = nil }), "argv"},
		{"NUL in argv", with(func(s *Spec) { s.Argv = []string{"a\x00"} }), "NUL"},
		{"bad env name", with(func(s *Spec) { s.Env = map[string]string{"A=B": "1"} }), "env"},
		{"relative cwd", with(func(s *Spec) { s.Cwd = "tmp" }), "absolute"},
		{"missing cwd", with(func(s *Spec) { s.Cwd = "/nonexistent/pyro" }), "existing"},
		{"unknown probe", with(func(s *Spec) { s.Readiness.Type = "smoke" }), "readiness type"},
		{"file needs target", with(func(s *Spec) { s.Readiness.Type = ProbeFile }), "target"},
		{"tcp needs host:port", with(func(s *Spec) { s.Readiness = Readiness{Type: ProbeTCP, Target: "8080"} }), "HOST:PORT"},
		{"http needs URL", with(func(s *Spec) { s.Readiness = Readiness{Type: ProbeHTTP, Target: "localhost:80"} }), "URL"},
		{"http ok", with(func(s *Spec) { s.Readiness = Readiness{Type: ProbeHTTP, Target: "http://127.0.0.1:8080/"} }), ""},
		{"negative timeout", with(func(s *Spec) { s.Readiness.Timeout = -time.Millisecond }), "timeout_ms"},
		{"huge interval", with(func(s *Spec) { s.Readiness.Interval = 2 * time.Minute }), "interval_ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.normalize()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want ErrInvalid mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestNormalizeDefaults(t *testing.T) {
	old := DefaultWorkspace
	DefaultWorkspace = t.TempDir()
	t.Cleanup(func() { DefaultWorkspace = old })
	s := Spec{Name: "x", Argv: []string{"true"}}
	if err := s.normalize(); err != nil {
		t.Fatal(err)
	}
	want := Readiness{Type: ProbeNone, Timeout: 30 * time.Second, Interval: 500 * time.Millisecond}
	if s.Cwd != DefaultWorkspace || s.Readiness != want {
		t.Errorf("got cwd %q readiness %+v", s.Cwd, s.Readiness)
	}
}
