package execproc

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestMergeEnv(t *testing.T) {
	base := []string{"PATH=/bin", "HOME=/root"}
	tests := []struct {
		name  string
		extra map[string]string
		want  []string
	}{
		{"nothing added", nil, []string{"PATH=/bin", "HOME=/root"}},
		{"override keeps no duplicate", map[string]string{"PATH": "/x"}, []string{"HOME=/root", "PATH=/x"}},
		{"new keys sorted", map[string]string{"B": "2", "A": "1"}, []string{"PATH=/bin", "HOME=/root", "A=1", "B=2"}},
		{"empty value", map[string]string{"E": ""}, []string{"PATH=/bin", "HOME=/root", "E="}},
	}
	for _, tt := range tests {
		if got := MergeEnv(base, tt.extra); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("tool", 0o755)
	write("plain", 0o644)
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "plain"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, path, want string
		notFound               bool
	}{
		{"found", "tool", dir, dir + "/tool", false},
		{"slash is taken as is", "./x/y", "", "./x/y", false},
		{"not executable is returned for EACCES", "plain", dir, dir + "/plain", false},
		{"executable later in PATH wins", "plain", dir + ":" + other, other + "/plain", false},
		{"missing", "nope", dir, "", true},
		{"empty PATH", "tool", "", "", true},
		{"directory is skipped", filepath.Base(dir), filepath.Dir(dir), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LookPath(tt.file, []string{"PATH=" + tt.path})
			if tt.notFound != errors.Is(err, errNotFound) || got != tt.want {
				t.Errorf("LookPath(%q) = %q, %v; want %q notFound=%v", tt.file, got, err, tt.want, tt.notFound)
			}
		})
	}
}
