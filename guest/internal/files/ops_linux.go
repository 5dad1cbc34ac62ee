package files

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"

	"golang.org/x/sys/unix"
)

// List describes root/rel: a directory's children (all descendants when
// recursive, never through a symlink), or the path itself otherwise.
// Paths are relative to root and sorted.
func List(root, rel string, recursive bool) ([]Entry, error) {
	a, err := resolve(root, rel, false)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	st, err := a.lstat()
	if err != nil {
		return nil, err
	}
	entries := []Entry{}
	add := func(dir int, name, p string, st *unix.Stat_t) error {
		e := Entry{Path: p, Type: typeOf(st), Size: st.Size, Mode: st.Mode & 0o7777, ModTime: mtime(st)}
		if e.Type == "symlink" {
			target, err := readlink(dir, name)
			if err != nil {
				return fmt.Errorf("readlink %q: %w", p, err)
			}
			e.LinkTarget = target
		}
		entries = append(entries, e)
		return nil
	}
	if typeOf(st) != "dir" {
		err = add(a.dir, a.name, a.rel, st)
	} else {
		prefix := a.rel
		if prefix == "." {
			prefix = ""
		}
		err = walk(a.dir, a.name, prefix, recursive, add)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	return entries, err
}

// OpenFile opens a regular file for reading. A symlink is refused even if
// it points inside the root: the host asked for that path, not its target.
func OpenFile(root, rel string) (*os.File, error) {
	a, err := resolve(root, rel, false)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	fd, st, err := openLeaf(a.dir, a.name)
	switch {
	case errors.Is(err, unix.ENOENT):
		return nil, fmt.Errorf("%w: %q", ErrNotFound, a.rel)
	case errors.Is(err, unix.ELOOP):
		return nil, invalid("%q is a symlink", a.rel)
	case err != nil:
		return nil, fmt.Errorf("open %q: %w", a.rel, err)
	case typeOf(st) != "file":
		unix.Close(fd)
		return nil, invalid("%q is a %s, not a regular file", a.rel, typeOf(st))
	}
	return os.NewFile(uintptr(fd), a.rel), nil
}

// Write replaces root/rel atomically with data: a temp file beside it is
// renamed over it, so an existing symlink there is replaced, not followed.
// mode < 0 keeps the existing file's mode, else 0644.
func Write(root, rel string, data []byte, mode int64) error {
	if len(data) > MaxWrite {
		return invalid("content is %d bytes, the limit is %d", len(data), MaxWrite)
	}
	a, err := resolveEntry(root, rel, true, "write")
	if err != nil {
		return err
	}
	defer a.Close()
	var st unix.Stat_t
	switch err := unix.Fstatat(a.dir, a.name, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case err == nil && typeOf(&st) == "dir":
		return invalid("%q is a directory", a.rel)
	case err == nil && typeOf(&st) == "file" && mode < 0:
		mode = int64(st.Mode)
	case err != nil && !errors.Is(err, unix.ENOENT):
		return fmt.Errorf("stat %q: %w", a.rel, err)
	}
	if mode < 0 {
		mode = 0o644
	}
	tmp := ".pyro-write-" + randomHex()
	fd, err := unix.Openat(a.dir, tmp, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create temp for %q: %w", a.rel, err)
	}
	f := os.NewFile(uintptr(fd), tmp)
	_, err = f.Write(data)
	if err == nil {
		err = unix.Fchmod(fd, fileMode(mode))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = unix.Renameat(a.dir, tmp, a.dir, a.name)
	}
	if err != nil {
		_ = unix.Unlinkat(a.dir, tmp, 0)
		return fmt.Errorf("write %q: %w", a.rel, err)
	}
	return nil
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails on Linux (getrandom)
	return hex.EncodeToString(b)
}

// Remove deletes a file or symlink (never its target) or a whole
// directory tree; the root itself cannot be removed.
func Remove(root, rel string) error {
	a, err := resolveEntry(root, rel, false, "remove")
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.lstat(); err != nil {
		return err
	}
	if err := removeAll(a.dir, a.name); err != nil {
		return fmt.Errorf("remove %q: %w", a.rel, err)
	}
	return nil
}

// removeAll works from directory fds with single-component names, so a
// symlink anywhere in the tree is unlinked, never descended into.
func removeAll(dir int, name string) error {
	err := unix.Unlinkat(dir, name, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EISDIR) {
		return err
	}
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), name)
	names, err := f.Readdirnames(-1)
	for _, n := range names {
		if err == nil {
			err = removeAll(fd, n)
		}
	}
	f.Close()
	if err != nil {
		return err
	}
	return unix.Unlinkat(dir, name, unix.AT_REMOVEDIR)
}
