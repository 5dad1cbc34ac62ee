package files

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"

	"golang.org/x/sys/unix"
)

// visitFunc sees one entry: its directory fd, its name there, its path
// relative to the walk's start, and its lstat.
type visitFunc func(dir int, name, rel string, st *unix.Stat_t) error

// walk visits the entries of directory name in dir, in name order, and
// descends (when recursive) with openat(O_NOFOLLOW) from the parent's fd:
// symlinks are reported, never followed, and no path is re-resolved.
func walk(dir int, name, rel string, recursive bool, visit visitFunc) error {
	fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %q: %w", rel, err)
	}
	f := os.NewFile(uintptr(fd), rel)
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("read dir %q: %w", rel, err)
	}
	sort.Strings(names)
	for _, n := range names {
		var st unix.Stat_t
		if err := unix.Fstatat(fd, n, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue // removed while we walked
			}
			return fmt.Errorf("stat %q: %w", path.Join(rel, n), err)
		}
		p := path.Join(rel, n)
		if err := visit(fd, n, p, &st); err != nil {
			return err
		}
		if recursive && st.Mode&unix.S_IFMT == unix.S_IFDIR {
			if err := walk(fd, n, p, true, visit); err != nil {
				return err
			}
		}
	}
	return nil
}

// Tree is a resolved path ready to be streamed as a tar archive. Opening it
// first lets the caller report a bad path before any response is sent.
type Tree struct {
	at *at
	st *unix.Stat_t
}

// OpenTree resolves root/rel for WriteTar. Other types than regular files,
// directories and symlinks are ErrInvalid.
func OpenTree(root, rel string) (*Tree, error) {
	a, err := resolve(root, rel, false)
	if err != nil {
		return nil, err
	}
	st, err := a.lstat()
	if err == nil && typeOf(st) == "other" {
		err = invalid("%q is not a regular file, directory or symlink", a.rel)
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	return &Tree{at: a, st: st}, nil
}

func (t *Tree) Close() { t.at.Close() }

// WriteTar streams the tree: a directory as "./", "./a.txt", "./sub/", ...;
// anything else as one entry named by its base name. flush runs after each
// entry so the host sees progress on large trees.
func (t *Tree) WriteTar(w io.Writer, flush func() error) error {
	tw := tar.NewWriter(w)
	emit := func(dir int, name, arc string, st *unix.Stat_t) error {
		if err := writeEntry(tw, dir, name, arc, st); err != nil {
			return err
		}
		return flush()
	}
	a := t.at
	if typeOf(t.st) != "dir" {
		if err := emit(a.dir, a.name, path.Base(a.rel), t.st); err != nil {
			return err
		}
	} else {
		if err := emit(a.dir, a.name, ".", t.st); err != nil {
			return err
		}
		child := func(dir int, name, rel string, st *unix.Stat_t) error {
			return emit(dir, name, "./"+rel, st)
		}
		if err := walk(a.dir, a.name, "", true, child); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return flush()
}

// writeEntry archives leaf name of dir as arc (a directory gets a trailing
// slash); other types are skipped. A regular file is opened without
// following and re-checked, since it may have changed after the lstat.
func writeEntry(tw *tar.Writer, dir int, name, arc string, st *unix.Stat_t) error {
	h := &tar.Header{
		Name:    arc,
		Mode:    int64(st.Mode & 0o7777),
		ModTime: mtime(st),
		Uid:     int(st.Uid),
		Gid:     int(st.Gid),
	}
	body := -1
	switch typeOf(st) {
	case "dir":
		h.Typeflag, h.Name = tar.TypeDir, arc+"/"
	case "symlink":
		target, err := readlink(dir, name)
		if err != nil {
			return fmt.Errorf("readlink %q: %w", arc, err)
		}
		h.Typeflag, h.Linkname = tar.TypeSymlink, target
	case "file":
		fd, fst, err := openLeaf(dir, name)
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ELOOP) {
			return nil // removed or replaced by a symlink meanwhile
		} else if err != nil {
			return fmt.Errorf("open %q: %w", arc, err)
		}
		body = fd
		defer unix.Close(fd)
		if typeOf(fst) != "file" {
			return nil
		}
		h.Typeflag, h.Size, h.Mode, h.ModTime = tar.TypeReg, fst.Size, int64(fst.Mode&0o7777), mtime(fst)
	default:
		return nil
	}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("%q: %w", arc, err)
	}
	if body >= 0 {
		// A file that shrank fails the stream rather than being padded.
		if err := readBody(tw, body, h.Size); err != nil {
			return fmt.Errorf("%q: %w", arc, err)
		}
	}
	return nil
}
