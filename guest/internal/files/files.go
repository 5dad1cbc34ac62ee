// Package files implements the agent's file routes (docs/agent-protocol.md,
// "Files"): every path is resolved beneath a root directory with
// openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS), and nothing is ever
// created, written or removed through a path the kernel has not confined.
//
// The name checks in this file are lexical and portable; the kernel does
// the real confinement in the _linux.go files.
package files

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Errors callers map to protocol codes; messages name the offending path.
var (
	ErrOutside  = errors.New("path outside workspace")
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid argument")
)

// MaxWrite caps the body of a single Write (1 MiB).
const MaxWrite = 1 << 20

// Stats is what an extraction wrote.
type Stats struct {
	Entries int64 // archive entries created (dirs, files, symlinks, hardlinks)
	Bytes   int64 // regular-file bytes written
}

// Entry describes one listed path; Path is relative to the root.
type Entry struct {
	Path       string
	Type       string // file | dir | symlink | other
	Size       int64
	Mode       uint32 // st_mode & 07777: permissions, setuid/setgid/sticky
	ModTime    time.Time
	LinkTarget string // symlinks only
}

func outside(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrOutside, fmt.Sprintf(format, args...))
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// CleanPath validates a slash-separated relative path (a query `path` or a
// tar entry name) and returns it cleaned, "." for the base itself. Absolute
// paths and `..` components are refused outright, before the kernel is
// asked, so the error does not depend on what happens to exist on disk.
func CleanPath(p string) (string, error) {
	if strings.IndexByte(p, 0) >= 0 {
		return "", invalid("path %q contains a NUL byte", p)
	}
	if strings.HasPrefix(p, "/") {
		return "", outside("%q is absolute", p)
	}
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return "", outside("%q has a '..' component", p)
		}
	}
	return path.Clean(p), nil // "" cleans to "."
}

// checkSymlink applies the archive rule for a symlink entry named name (a
// cleaned entry path): the target must be relative and, resolved lexically
// from the link's directory, stay beneath the extraction directory.
func checkSymlink(name, target string) error {
	switch {
	case target == "" || strings.IndexByte(target, 0) >= 0:
		return invalid("symlink %q has an empty or NUL-containing target", name)
	case strings.HasPrefix(target, "/"):
		return outside("symlink %q -> %q is absolute", name, target)
	}
	if p := path.Join(path.Dir(name), target); p == ".." || strings.HasPrefix(p, "../") {
		return outside("symlink %q -> %q leaves the destination", name, target)
	}
	return nil
}

// fileMode keeps the permission and sticky bits of an archived or requested
// regular-file mode; setuid/setgid are never recreated.
func fileMode(m int64) uint32 { return uint32(m) & 0o1777 }

// dirMode keeps all of a directory's mode bits (setgid matters there).
func dirMode(m int64) uint32 { return uint32(m) & 0o7777 }

// Options adjust Extract.
type Options struct {
	// AnySymlinkTarget accepts symlinks whatever their target (snapshot restore).
	AnySymlinkTarget bool
}
