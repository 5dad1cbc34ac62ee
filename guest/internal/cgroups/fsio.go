package cgroups

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// dirOps creates and removes cgroup directories. On cgroupfs mkdir makes
// the interface files and rmdir refuses a populated cgroup (EBUSY); tests
// give a fake that does the same in a temporary directory.
type dirOps struct {
	mkdir func(path string) error
	rmdir func(path string) error
}

var realDirs = dirOps{
	mkdir: func(path string) error { return os.Mkdir(path, 0o755) },
	rmdir: func(path string) error { return os.Remove(path) },
}

// writeFile writes s to an existing interface file. It never creates one:
// a missing file means the kernel lacks that feature, which callers need to
// see as an error (errors.Is(err, fs.ErrNotExist)).
func writeFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %q to %s: %w", s, path, err)
	}
	return nil
}

// readInt reads a file holding one integer ("max" is not accepted).
func readInt(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse %s: %w", path, err)
	}
	return n, nil
}

// errNoKey is returned by readKeyed when the file has no such line.
var errNoKey = errors.New("key not found")

// readKeyed reads the value of "key N" in a flat-keyed file such as
// cgroup.events or memory.events.
func readKeyed(path, key string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == key {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse %s %s: %w", path, key, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s: %q: %w", path, key, errNoKey)
}

// readPids lists the pids in a cgroup.procs file.
func readPids(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			out = append(out, pid)
		}
	}
	return out, nil
}

// controllers reads a cgroup.controllers file as a set.
func controllers(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	set := map[string]bool{}
	for _, c := range strings.Fields(string(b)) {
		set[c] = true
	}
	return set, nil
}
