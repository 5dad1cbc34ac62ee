// Package secrets keeps the guest's secret values: in memory, where they
// feed secret_env and are the redaction set, and as one 0400 file per
// secret on a private tmpfs, for programs that read secrets from files.
package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// DefaultDir holds one file per secret in the guest.
const DefaultDir = "/run/pyro-secrets"

// Limits of one set (protocol v1).
const (
	MaxSecrets  = 64
	MaxValueLen = 65536
)

var (
	ErrInvalid  = errors.New("invalid argument")
	ErrNotFound = errors.New("secret not found")
)

var (
	nameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	envVarRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Secret is one named value.
type Secret struct {
	Name  string
	Value []byte
}

// NotFoundError names the missing secret; it matches ErrNotFound. Its
// text is the whole protocol message, with no prefix.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("no secret %q", e.Name) }
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Store is the current set. Set replaces it as a whole; readers take a
// snapshot that is never modified afterwards, so they need no lock.
type Store struct {
	dir   string
	mount func(dir string) error // nil: dir is a plain directory (tests)

	setMu   sync.Mutex // one Set at a time: they touch the same files
	mounted bool

	mu     sync.RWMutex
	byName map[string][]byte
	values [][]byte
}

// NewStore keeps files in dir, calling mount (MountTmpfs in the guest, nil
// in tests) before the first write.
func NewStore(dir string, mount func(dir string) error) *Store {
	return &Store{dir: dir, mount: mount, byName: map[string][]byte{}}
}

// Values returns the redaction set; it has the type redact.Source.
func (s *Store) Values() [][]byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.values
}

// Set validates list and makes it the whole set: in memory first, then on
// disk. It returns the names, sorted. Error messages name secrets by name
// or position, never by value.
func (s *Store) Set(list []Secret) ([]string, error) {
	byName, err := validate(list)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(byName))
	values := make([][]byte, 0, len(byName))
	for name, v := range byName {
		names = append(names, name)
		values = append(values, v)
	}
	sort.Strings(names)

	s.setMu.Lock()
	defer s.setMu.Unlock()
	s.mu.Lock()
	s.byName, s.values = byName, values
	s.mu.Unlock()
	if err := s.prepareDir(); err != nil {
		return nil, err
	}
	if err := writeFiles(s.dir, byName); err != nil {
		return nil, err
	}
	return names, nil
}

func validate(list []Secret) (map[string][]byte, error) {
	if len(list) > MaxSecrets {
		return nil, invalidf("%d secrets, at most %d", len(list), MaxSecrets)
	}
	byName := make(map[string][]byte, len(list))
	for i, sec := range list {
		if !nameRE.MatchString(sec.Name) {
			return nil, invalidf("secrets[%d]: name %q must match %s", i, sec.Name, nameRE)
		}
		if _, dup := byName[sec.Name]; dup {
			return nil, invalidf("secrets[%d]: name %q appears twice", i, sec.Name)
		}
		if len(sec.Value) == 0 || len(sec.Value) > MaxValueLen {
			return nil, invalidf("secret %q: value must be 1..%d bytes, got %d", sec.Name, MaxValueLen, len(sec.Value))
		}
		byName[sec.Name] = append([]byte(nil), sec.Value...)
	}
	return byName, nil
}

// Env resolves secret_env (environment variable -> secret name) to
// environment values. Variables are checked in sorted order, so the error
// for a request with several problems is always the same one.
func (s *Store) Env(secretEnv map[string]string) (map[string]string, error) {
	if len(secretEnv) == 0 {
		return nil, nil
	}
	vars := make([]string, 0, len(secretEnv))
	for k := range secretEnv {
		vars = append(vars, k)
	}
	sort.Strings(vars)
	s.mu.RLock()
	defer s.mu.RUnlock()
	env := make(map[string]string, len(secretEnv))
	for _, k := range vars {
		if !envVarRE.MatchString(k) {
			return nil, invalidf("secret_env: variable %q must match %s", k, envVarRE)
		}
		name := secretEnv[k]
		v, ok := s.byName[name]
		if !ok {
			return nil, &NotFoundError{Name: name}
		}
		// execve cannot pass a NUL; the file under DefaultDir can.
		if bytes.IndexByte(v, 0) >= 0 {
			return nil, invalidf("secret_env %q: secret %q contains a NUL byte; read it from its file instead", k, name)
		}
		env[k] = string(v)
	}
	return env, nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
