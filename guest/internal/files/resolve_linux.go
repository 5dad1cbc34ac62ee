package files

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

const beneath = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS

// openRoot opens the host-given root. The root itself is trusted (the host
// chose it), so symlinks in it are followed; everything below is confined.
func openRoot(root string) (int, error) {
	if !filepath.IsAbs(root) || strings.IndexByte(root, 0) >= 0 {
		return -1, invalid("root %q must be an absolute path", root)
	}
	fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	switch {
	case errors.Is(err, unix.ENOENT):
		return -1, fmt.Errorf("%w: root %q", ErrNotFound, root)
	case errors.Is(err, unix.ENOTDIR):
		return -1, invalid("root %q is not a directory", root)
	case err != nil:
		return -1, fmt.Errorf("open root %q: %w", root, err)
	}
	return fd, nil
}

// openDir opens rel beneath base as an O_PATH directory. Symlinks on the
// way are followed only while they stay beneath base. The error wraps both
// a package sentinel and the errno.
func openDir(base int, rel string) (int, error) {
	how := &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: beneath,
	}
	var fd int
	var err error
	// EAGAIN: a concurrent rename made the kernel unsure about a "..";
	// the lookup is simply retried.
	for range 8 {
		if fd, err = unix.Openat2(base, rel, how); err != unix.EAGAIN && err != unix.EINTR {
			break
		}
	}
	switch {
	case err == nil:
		return fd, nil
	case errors.Is(err, unix.EXDEV), errors.Is(err, unix.ELOOP):
		return -1, fmt.Errorf("%w: %q escapes the root or loops: %w", ErrOutside, rel, err)
	case errors.Is(err, unix.ENOENT):
		return -1, fmt.Errorf("%w: %q: %w", ErrNotFound, rel, err)
	case errors.Is(err, unix.ENOTDIR):
		return -1, fmt.Errorf("%w: %q is not a directory: %w", ErrInvalid, rel, err)
	}
	return -1, fmt.Errorf("open %q: %w", rel, err)
}

// mkdirAll is openDir that first creates missing directories (0755), one
// component at a time. Each step is resolved beneath base again, so a
// symlink swapped in meanwhile still cannot lead out, and mkdirat never
// follows a symlink in its last component.
func mkdirAll(base int, rel string) (int, error) {
	fd, err := openDir(base, rel)
	if !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	if fd, err = openDir(base, "."); err != nil {
		return -1, err
	}
	cur := "."
	for _, c := range strings.Split(rel, "/") {
		cur = path.Join(cur, c)
		next, err := openDir(base, cur)
		if errors.Is(err, unix.ENOENT) {
			if err = unix.Mkdirat(fd, c, 0o755); err == nil || err == unix.EEXIST {
				next, err = openDir(base, cur)
			}
			if errors.Is(err, unix.ENOENT) { // e.g. a dangling symlink
				err = invalid("%q exists and is not a directory", cur)
			}
		}
		unix.Close(fd)
		if err != nil {
			return -1, err
		}
		fd = next
	}
	return fd, nil
}

// at is a path resolved beneath a root: a confined parent directory and a
// single leaf name the *at syscalls use without following it. The root
// itself is {rootfd, "."}.
type at struct {
	root, dir int
	name, rel string
}

// resolve opens root and the parent of rel (creating it when create is set).
func resolve(root, rel string, create bool) (*at, error) {
	rel, err := CleanPath(rel)
	if err != nil {
		return nil, err
	}
	rfd, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	a := &at{root: rfd, dir: rfd, name: ".", rel: rel}
	if rel == "." {
		return a, nil
	}
	open := openDir
	if create {
		open = mkdirAll
	}
	if a.dir, err = open(rfd, path.Dir(rel)); err != nil {
		unix.Close(rfd)
		return nil, err
	}
	a.name = path.Base(rel)
	return a, nil
}

// resolveEntry is resolve for an operation on one entry below root (write,
// remove): root itself is refused as invalid, the error naming verb.
func resolveEntry(root, rel string, create bool, verb string) (*at, error) {
	a, err := resolve(root, rel, create)
	if err != nil {
		return nil, err
	}
	if a.name == "." {
		a.Close()
		return nil, invalid("cannot %s the root itself", verb)
	}
	return a, nil
}

func (a *at) Close() {
	if a.dir != a.root {
		unix.Close(a.dir)
	}
	unix.Close(a.root)
}

// lstat stats the leaf without following it; a missing leaf is ErrNotFound.
func (a *at) lstat() (*unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(a.dir, a.name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil, fmt.Errorf("%w: %q", ErrNotFound, a.rel)
		}
		return nil, fmt.Errorf("stat %q: %w", a.rel, err)
	}
	return &st, nil
}

// openLeaf opens a leaf for reading without following it. O_NONBLOCK keeps
// a FIFO swapped in after the type check from blocking the agent.
func openLeaf(dir int, name string) (int, *unix.Stat_t, error) {
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	return fd, &st, nil
}

func readlink(dir int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dir, name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

func typeOf(st *unix.Stat_t) string {
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return "file"
	case unix.S_IFDIR:
		return "dir"
	case unix.S_IFLNK:
		return "symlink"
	}
	return "other"
}

func mtime(st *unix.Stat_t) time.Time { return time.Unix(st.Mtim.Unix()) }

// setMtime sets a leaf's mtime (atime untouched) without following it.
func setMtime(dir int, name string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, unix.NsecToTimespec(t.UnixNano())}
	return unix.UtimesNanoAt(dir, name, ts, unix.AT_SYMLINK_NOFOLLOW)
}
