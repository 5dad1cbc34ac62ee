package channel

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	var b backoff
	var got []time.Duration
	for i := 0; i < 7; i++ {
		got = append(got, b.next())
	}
	ms := time.Millisecond
	want := []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 250 * ms, 250 * ms}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// scripted replays reads: each step is data or an error.
type scripted struct{ steps []any }

func (s *scripted) Read(p []byte) (int, error) {
	if len(s.steps) == 0 {
		return 0, errors.New("script exhausted")
	}
	step := s.steps[0]
	s.steps = s.steps[1:]
	if err, ok := step.(error); ok {
		return 0, err
	}
	return copy(p, step.(string)), nil
}

func TestWaitFirstByte(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		steps      []any
		want       string
		wantErr    bool
		wantSleeps []time.Duration
	}{
		{"data at once", []any{"PRI"}, "PRI", false, nil},
		{"EOF backs off, never spins", []any{io.EOF, io.EOF, io.EOF, "x"}, "x", false, []time.Duration{10 * ms, 20 * ms, 40 * ms}},
		{"zero-byte read without error", []any{"", "y"}, "y", false, []time.Duration{10 * ms}},
		{"other errors end the wait", []any{io.EOF, os.ErrPermission}, "", true, []time.Duration{10 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sleeps []time.Duration
			got, err := waitFirstByte(&scripted{tt.steps}, func(d time.Duration) { sleeps = append(sleeps, d) })
			if string(got) != tt.want || (err != nil) != tt.wantErr || !reflect.DeepEqual(sleeps, tt.wantSleeps) {
				t.Errorf("got %q, %v, sleeps %v; want %q, err=%v, sleeps %v", got, err, sleeps, tt.want, tt.wantErr, tt.wantSleeps)
			}
		})
	}
}

func TestFindPort(t *testing.T) {
	tests := []struct {
		name  string
		ports map[string]string // vport dir -> name file ("" = no file)
		want  string
	}{
		{"found", map[string]string{"vport1p1": "org.pyro.agent\n"}, "/dev/vport1p1"},
		{"among others", map[string]string{"vport0p1": "other", "vport0p2": "org.pyro.agent"}, "/dev/vport0p2"},
		{"name not set yet", map[string]string{"vport1p1": ""}, ""},
		{"no ports", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			class := t.TempDir()
			for dir, name := range tt.ports {
				if err := os.Mkdir(filepath.Join(class, dir), 0o755); err != nil {
					t.Fatal(err)
				}
				if name != "" {
					if err := os.WriteFile(filepath.Join(class, dir, "name"), []byte(name), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, ok := findPort(class, "/dev", PortName)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("got %q %v, want %q", got, ok, tt.want)
			}
		})
	}
}
