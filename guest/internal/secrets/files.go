package secrets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// prepareDir creates the directory and, the first time, mounts the tmpfs
// on it, so secrets never reach the root disk (it persists with the
// workspace) and stay readable by root alone.
func (s *Store) prepareDir() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("secrets directory: %w", err)
	}
	if s.mount != nil && !s.mounted {
		if err := s.mount(s.dir); err != nil {
			return err
		}
		s.mounted = true
	}
	return nil
}

// writeFiles writes each value to dir/NAME (0400) through a temp file
// renamed over it, so a reader never sees half a value, then removes
// every other file: secrets no longer in the set and leftover temps.
func writeFiles(dir string, byName map[string][]byte) error {
	var errs []error
	for name, v := range byName {
		if err := writeFile(dir, name, v); err != nil {
			errs = append(errs, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("secrets directory: %w", err))...)
	}
	for _, e := range entries {
		if _, keep := byName[e.Name()]; !keep {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				errs = append(errs, fmt.Errorf("remove secret file: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

// writeFile names the temp ".NAME.tmp": a secret name cannot start with a
// dot, so it never collides with one.
func writeFile(dir, name string, value []byte) error {
	path := filepath.Join(dir, name)
	tmp := filepath.Join(dir, "."+name+".tmp")
	_ = os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o400)
	if err != nil {
		return fmt.Errorf("secret %q: %w", name, err)
	}
	_, werr := f.Write(value)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("secret %q: write: %w", name, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("secret %q: %w", name, err)
	}
	return nil
}
