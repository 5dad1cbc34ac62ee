package files

import (
	"archive/tar"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Extract unpacks the tar stream r into root/rel (created 0755 with parents
// if missing). Each entry is checked before anything is written for it;
// the first bad entry ends the extraction with ErrOutside or ErrInvalid.
// Entries before it stay written, but nothing is ever written outside
// root/rel: every parent is opened beneath the destination and every leaf
// is created with *at calls that do not follow it.
//
// With opts.AnySymlinkTarget, symlink targets are not checked (restoring the
// guest's own snapshot, where links like /usr/bin/python3 are legitimate):
// creating a link writes nothing through it, and later entries never follow
// links, so confinement holds either way.
func Extract(root, rel string, r io.Reader, opts ...Options) (Stats, error) {
	a, err := resolve(root, rel, true)
	if err != nil {
		return Stats{}, err
	}
	defer a.Close()
	dest, err := mkdirAll(a.dir, a.name)
	if err != nil {
		return Stats{}, err
	}
	defer unix.Close(dest)
	x := &extractor{dest: dest, regular: map[string]bool{}}
	for _, o := range opts {
		x.anyLink = x.anyLink || o.AnySymlinkTarget
	}
	err = x.run(tar.NewReader(r))
	return x.stats, err
}

type extractor struct {
	anyLink bool // skip the symlink target check (see Extract)
	dest    int
	regular map[string]bool // names of regular files written so far
	dirs    []dirMeta       // applied last, so a read-only dir cannot block its children
	stats   Stats
}

type dirMeta struct {
	name  string
	mode  uint32
	mtime time.Time
}

func (x *extractor) run(tr *tar.Reader) error {
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return invalid("tar: %v", err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		if err := x.entry(hdr, tr); err != nil {
			return fmt.Errorf("entry %q: %w", hdr.Name, err)
		}
		x.stats.Entries++
	}
	// Deepest first: a parent's mode may forbid touching its children.
	sort.SliceStable(x.dirs, func(i, j int) bool { return len(x.dirs[i].name) > len(x.dirs[j].name) })
	for _, d := range x.dirs {
		if err := x.finishDir(d); err != nil {
			return fmt.Errorf("entry %q: %w", d.name, err)
		}
	}
	return nil
}

// entry checks one header completely, then creates it.
func (x *extractor) entry(hdr *tar.Header, tr *tar.Reader) error {
	name, err := CleanPath(hdr.Name)
	if err != nil {
		return err
	}
	if name == "." && hdr.Typeflag != tar.TypeDir {
		return invalid("only a directory may be named %q", hdr.Name)
	}
	var link string
	switch hdr.Typeflag {
	case tar.TypeDir, tar.TypeReg, tar.TypeCont, tar.TypeGNUSparse:
	case tar.TypeSymlink:
		if x.anyLink {
			if hdr.Linkname == "" || strings.IndexByte(hdr.Linkname, 0) >= 0 {
				return invalid("symlink %q has an empty or NUL-containing target", name)
			}
		} else if err := checkSymlink(name, hdr.Linkname); err != nil {
			return err
		}
	case tar.TypeLink:
		if link, err = CleanPath(hdr.Linkname); err != nil {
			return err
		}
		if !x.regular[link] {
			return outside("hardlink target %q is not an earlier regular file of the archive", hdr.Linkname)
		}
	default:
		return invalid("unsupported entry type %q", hdr.Typeflag)
	}
	if hdr.Typeflag == tar.TypeDir {
		delete(x.regular, name)
		return x.dir(name, hdr)
	}
	dir, err := mkdirAll(x.dest, path.Dir(name))
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	leaf := path.Base(name)
	if link == name {
		return nil // a file hardlinked to itself is already in place
	}
	if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != tar.TypeCont && hdr.Typeflag != tar.TypeGNUSparse {
		if err := clearLeaf(dir, leaf); err != nil { // a regular file replaces by rename
			return err
		}
	}
	x.regular[name] = hdr.Typeflag != tar.TypeSymlink
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, dir, leaf); err != nil {
			return err
		}
		return setMtime(dir, leaf, hdr.ModTime)
	case tar.TypeLink:
		return x.hardlink(link, dir, leaf)
	}
	return x.file(dir, leaf, hdr, tr)
}

// clearLeaf removes whatever non-directory is at leaf, so the new entry
// replaces an existing symlink or hardlink instead of writing through it.
func clearLeaf(dir int, leaf string) error {
	var st unix.Stat_t
	err := unix.Fstatat(dir, leaf, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case errors.Is(err, unix.ENOENT):
		return nil
	case err != nil:
		return err
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		return invalid("%q is an existing directory", leaf)
	}
	if err := unix.Unlinkat(dir, leaf, 0); err != nil && err != unix.ENOENT {
		return err
	}
	return nil
}

// file writes a regular file's content into an unnamed file (O_TMPFILE) in
// the same directory, names it only once complete and renames it over leaf:
// a push cut short (a full disk, a broken stream, even the VM dying) leaves
// the file that was there intact and no partial or temporary file behind.
// rename replaces a file or symlink at leaf itself, never its target.
func (x *extractor) file(dir int, leaf string, hdr *tar.Header, tr *tar.Reader) error {
	fd, tmp, err := openUnnamed(dir)
	if err != nil {
		return err
	}
	n, err := writeBody(fd, tr, hdr.Size)
	x.stats.Bytes += n
	if err == nil {
		err = unix.Fchmod(fd, fileMode(hdr.Mode))
	}
	if err == nil && tmp == "" {
		tmp, err = linkTemp(dir, fd)
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err == nil {
		err = setMtime(dir, tmp, hdr.ModTime)
	}
	if err == nil {
		err = unix.Renameat(dir, tmp, dir, leaf)
		if errors.Is(err, unix.EISDIR) {
			err = invalid("%q is an existing directory", leaf)
		}
	}
	if err != nil && tmp != "" {
		_ = unix.Unlinkat(dir, tmp, 0)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, tar.ErrHeader) {
		return invalid("tar: %v", err)
	}
	return err
}

// openUnnamed opens a new unnamed file in dir (O_TMPFILE); on a file system
// without O_TMPFILE it creates a named temporary one and returns its name.
func openUnnamed(dir int) (fd int, name string, err error) {
	fd, err = unix.Openat(dir, ".", unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return fd, "", nil
	}
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
		name, fd, err = createTemp(dir)
		return fd, name, err
	}
	return -1, "", err
}

// linkTemp gives the unnamed file fd a random hidden name in dir:
// AT_EMPTY_PATH (the agent is root), else the /proc/self/fd link.
func linkTemp(dir, fd int) (string, error) {
	return withTempName(func(name string) error {
		err := unix.Linkat(fd, "", dir, name, unix.AT_EMPTY_PATH)
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EPERM) {
			err = unix.Linkat(unix.AT_FDCWD, fmt.Sprintf("/proc/self/fd/%d", fd), dir, name, unix.AT_SYMLINK_FOLLOW)
		}
		return err
	})
}

// createTemp creates a new, empty file with a random hidden name in dir.
// O_EXCL and O_NOFOLLOW: a name raced in is never reused or followed.
func createTemp(dir int) (string, int, error) {
	fd := -1
	name, err := withTempName(func(name string) (err error) {
		fd, err = unix.Openat(dir, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		return err
	})
	return name, fd, err
}

// withTempName calls create with random hidden names (for a file being put
// in place) until one is not taken (EEXIST), and returns that name.
func withTempName(create func(name string) error) (string, error) {
	for {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		name := ".pyro-tmp-" + hex.EncodeToString(b[:])
		if err := create(name); !errors.Is(err, unix.EEXIST) {
			return name, err
		}
	}
}

// hardlink links an earlier entry; linkat gets a confined parent and a
// single leaf and no AT_SYMLINK_FOLLOW, so it cannot reach outside.
func (x *extractor) hardlink(target string, dir int, leaf string) error {
	src, err := openDir(x.dest, path.Dir(target))
	if err != nil {
		return err
	}
	defer unix.Close(src)
	var st unix.Stat_t
	if err := unix.Fstatat(src, path.Base(target), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return outside("hardlink target %q is no longer a regular file", target)
	}
	return unix.Linkat(src, path.Base(target), dir, leaf, 0)
}

// dir creates a directory entry (replacing a non-directory, e.g. a
// symlink) and records its mode and mtime for the end.
func (x *extractor) dir(name string, hdr *tar.Header) error {
	if name != "." {
		parent, err := mkdirAll(x.dest, path.Dir(name))
		if err != nil {
			return err
		}
		defer unix.Close(parent)
		leaf := path.Base(name)
		var st unix.Stat_t
		if err := unix.Fstatat(parent, leaf, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			if err := clearLeaf(parent, leaf); err != nil {
				return err
			}
			if err := unix.Mkdirat(parent, leaf, 0o755); err != nil {
				return err
			}
		}
	}
	x.dirs = append(x.dirs, dirMeta{name: name, mode: dirMode(hdr.Mode), mtime: hdr.ModTime})
	return nil
}

func (x *extractor) finishDir(d dirMeta) error {
	fd, err := openDir(x.dest, d.name)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	// "." from the directory's own fd names it without any lookup to follow.
	if err := setMtime(fd, ".", d.mtime); err != nil {
		return err
	}
	return unix.Fchmodat(fd, ".", d.mode, 0)
}
