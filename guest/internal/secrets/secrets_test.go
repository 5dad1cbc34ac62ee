package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func sec(name, value string) Secret { return Secret{Name: name, Value: []byte(value)} }

func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o400 {
			t.Errorf("%s: mode %v, want 0400", e.Name(), fi.Mode().Perm())
		}
		b, _ := os.ReadFile(p)
		out[e.Name()] = string(b)
	}
	return out
}

func TestSetReplacesTheWholeSet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pyro-secrets")
	mounts := 0
	s := NewStore(dir, func(string) error { mounts++; return nil })
	names, err := s.Set([]Secret{sec("TOKEN", "t0ken"), sec("API_KEY", "k3y\x00bin")})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names, []string{"API_KEY", "TOKEN"}) {
		t.Errorf("names %q", names)
	}
	if got := dirFiles(t, dir); !reflect.DeepEqual(got, map[string]string{"API_KEY": "k3y\x00bin", "TOKEN": "t0ken"}) {
		t.Errorf("files %q", got)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", fi.Mode().Perm())
	}
	if _, err := s.Set([]Secret{sec("TOKEN", "n3w")}); err != nil {
		t.Fatal(err)
	}
	if got := dirFiles(t, dir); !reflect.DeepEqual(got, map[string]string{"TOKEN": "n3w"}) {
		t.Errorf("after replace: files %q", got)
	}
	if got := values(s); !reflect.DeepEqual(got, []string{"n3w"}) {
		t.Errorf("redaction set %q", got)
	}
	if names, err := s.Set([]Secret{}); err != nil || len(names) != 0 {
		t.Fatalf("clear: %q, %v", names, err)
	}
	if got := dirFiles(t, dir); len(got) != 0 || len(s.Values()) != 0 {
		t.Errorf("after clear: files %q values %d", got, len(s.Values()))
	}
	if mounts != 1 {
		t.Errorf("mounted %d times, want once", mounts)
	}
}

func values(s *Store) []string {
	var out []string
	for _, v := range s.Values() {
		out = append(out, string(v))
	}
	sort.Strings(out)
	return out
}

func TestSetInvalid(t *testing.T) {
	many := make([]Secret, MaxSecrets+1)
	for i := range many {
		many[i] = sec("S"+strings.Repeat("x", i), "v")
	}
	tests := []struct {
		name    string
		list    []Secret
		wantMsg string
	}{
		{"too many", many, "at most 64"},
		{"empty name", []Secret{sec("", "v4lue")}, "name"},
		{"leading digit", []Secret{sec("1A", "v4lue")}, "name"},
		{"dash", []Secret{sec("A-B", "v4lue")}, "name"},
		{"65 chars", []Secret{sec("A"+strings.Repeat("b", 64), "v4lue")}, "name"},
		{"duplicate", []Secret{sec("A", "v4lue"), sec("A", "v4lue")}, "twice"},
		{"empty value", []Secret{sec("A", "")}, "1..65536"},
		{"value too long", []Secret{sec("A", strings.Repeat("v", MaxValueLen+1))}, "1..65536"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewStore(t.TempDir(), nil)
			_, err := s.Set(tt.list)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got %v, want ErrInvalid mentioning %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "v4lue") || strings.Contains(err.Error(), "vvvv") {
				t.Errorf("message leaks a value: %v", err)
			}
		})
	}
	ok := []Secret{sec("A", strings.Repeat("v", MaxValueLen)), sec("_a1", "x"), sec("A"+strings.Repeat("b", 63), "y")}
	if _, err := NewStore(t.TempDir(), nil).Set(ok); err != nil {
		t.Errorf("valid set refused: %v", err)
	}
}

func TestSetFailedMountIsRetried(t *testing.T) {
	fail := true
	s := NewStore(t.TempDir(), func(string) error {
		if fail {
			return errors.New("EPERM")
		}
		return nil
	})
	if _, err := s.Set([]Secret{sec("A", "1")}); err == nil {
		t.Fatal("mount failure not reported")
	}
	fail = false
	if _, err := s.Set([]Secret{sec("A", "1")}); err != nil {
		t.Fatal(err)
	}
}

func TestEnv(t *testing.T) {
	s := NewStore(t.TempDir(), nil)
	if _, err := s.Set([]Secret{sec("TOKEN", "t0ken"), sec("BIN", "a\x00b")}); err != nil {
		t.Fatal(err)
	}
	env, err := s.Env(map[string]string{"GH_TOKEN": "TOKEN", "_X1": "TOKEN"})
	if err != nil || !reflect.DeepEqual(env, map[string]string{"GH_TOKEN": "t0ken", "_X1": "t0ken"}) {
		t.Errorf("Env = %q, %v", env, err)
	}
	if env, err := s.Env(nil); env != nil || err != nil {
		t.Errorf("empty secret_env: %q, %v", env, err)
	}
	_, err = s.Env(map[string]string{"X": "NOPE"})
	if !errors.Is(err, ErrNotFound) || err.Error() != `no secret "NOPE"` {
		t.Errorf("unknown secret: %v", err)
	}
	for _, bad := range []string{"1X", "A-B", "", "A=B"} {
		if _, err := s.Env(map[string]string{bad: "TOKEN"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("variable %q: got %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := s.Env(map[string]string{"X": "BIN"}); !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "a\x00b") {
		t.Errorf("NUL value: %v", err)
	}
}
