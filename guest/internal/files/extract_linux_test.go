package files

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestExtractThenTarRoundTrip(t *testing.T) {
	root := t.TempDir()
	in := tarball(t,
		dir("./", 0o755),
		dir("./bin/", 0o755),
		file("./bin/run.sh", 0o755, "#!/bin/sh\necho hi\n"),
		file("./a.txt", 0o644, "hello\n"),
		file("./suid", 0o4755, "x"),
		dir("./sub/deep/", 0o750), // parent "sub" is implied
		file("./sub/deep/x.txt", 0o600, "deep"),
		symlink("./sub/link", "../a.txt"),
		hardlink("./hard", "a.txt"),
		dir("./ro/", 0o555), // read-only dir listed before its child
		file("./ro/f", 0o444, "ro"),
	)
	st, err := Extract(root, "dest/tree", in) // dest/tree created with parents
	wantErr(t, err, nil)
	if st.Entries != 11 || st.Bytes != int64(len("#!/bin/sh\necho hi\n")+6+1+4+2) {
		t.Errorf("stats = %+v", st)
	}
	d := filepath.Join(root, "dest/tree")
	for p, want := range map[string]os.FileMode{
		"bin/run.sh": 0o755, "a.txt": 0o644, "suid": 0o755, "sub/deep": 0o750 | os.ModeDir,
		"sub/deep/x.txt": 0o600, "ro": 0o555 | os.ModeDir, "ro/f": 0o444,
	} {
		fi, err := os.Lstat(filepath.Join(d, p))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModePerm | os.ModeDir | os.ModeSetuid); got != want {
			t.Errorf("%s: mode %v, want %v", p, got, want)
		}
		if !fi.ModTime().Equal(testMtime) {
			t.Errorf("%s: mtime %v, want %v", p, fi.ModTime(), testMtime)
		}
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(d, "ro"), 0o755) })
	a, _ := os.Stat(filepath.Join(d, "a.txt"))
	h, _ := os.Stat(filepath.Join(d, "hard"))
	if !os.SameFile(a, h) {
		t.Error("hard is not a hardlink of a.txt")
	}
	if got := readString(t, filepath.Join(d, "sub/link")); got != "hello\n" {
		t.Errorf("through sub/link: %q", got)
	}

	tree, err := OpenTree(root, "dest/tree")
	wantErr(t, err, nil)
	defer tree.Close()
	var out bytes.Buffer
	flushes := 0
	wantErr(t, tree.WriteTar(&out, func() error { flushes++; return nil }), nil)
	hdrs, bodies := readTar(t, &out)
	want := map[string]struct {
		typ  byte
		mode int64
		body string
		link string
	}{
		"./": {tar.TypeDir, 0o755, "", ""}, "./bin/": {tar.TypeDir, 0o755, "", ""},
		"./bin/run.sh": {tar.TypeReg, 0o755, "#!/bin/sh\necho hi\n", ""},
		"./a.txt":      {tar.TypeReg, 0o644, "hello\n", ""}, "./hard": {tar.TypeReg, 0o644, "hello\n", ""},
		"./suid": {tar.TypeReg, 0o755, "x", ""}, "./sub/": {tar.TypeDir, 0o755, "", ""},
		"./sub/deep/": {tar.TypeDir, 0o750, "", ""}, "./sub/deep/x.txt": {tar.TypeReg, 0o600, "deep", ""},
		"./sub/link": {tar.TypeSymlink, 0o777, "", "../a.txt"},
		"./ro/":      {tar.TypeDir, 0o555, "", ""}, "./ro/f": {tar.TypeReg, 0o444, "ro", ""},
	}
	if len(hdrs) != len(want) || flushes != len(want)+1 {
		t.Errorf("%d entries, %d flushes; want %d, %d", len(hdrs), flushes, len(want), len(want)+1)
	}
	for _, h := range hdrs {
		w, ok := want[h.Name]
		if !ok {
			t.Errorf("unexpected entry %q", h.Name)
			continue
		}
		if h.Typeflag != w.typ || h.Mode != w.mode || bodies[h.Name] != w.body || h.Linkname != w.link {
			t.Errorf("%s: type %c mode %o body %q link %q; want %+v", h.Name, h.Typeflag, h.Mode, bodies[h.Name], h.Linkname, w)
		}
		if h.Typeflag == tar.TypeReg && !h.ModTime.Equal(testMtime) {
			t.Errorf("%s: mtime %v", h.Name, h.ModTime)
		}
	}

	// A single file or symlink is one entry named by its base name.
	for p, wantName := range map[string]string{"dest/tree/bin/run.sh": "run.sh", "dest/tree/sub/link": "link"} {
		one, err := OpenTree(root, p)
		wantErr(t, err, nil)
		out.Reset()
		wantErr(t, one.WriteTar(&out, func() error { return nil }), nil)
		one.Close()
		if hdrs, _ := readTar(t, &out); len(hdrs) != 1 || hdrs[0].Name != wantName {
			t.Errorf("tar of %s: %d entries, first %q", p, len(hdrs), hdrs[0].Name)
		}
	}
}

// TestExtractRefusesEscapes runs a malicious corpus: each archive must fail
// with the given error and leave everything outside the destination as it
// was (entries before the bad one may have been written inside it).
func TestExtractRefusesEscapes(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, tmp, dest string)
		ents    func(tmp string) []ent
		want    error
		written []string // earlier entries that are expected inside dest
	}{
		{name: "dot-dot", ents: one(file("../evil", 0, "x")), want: ErrOutside},
		{name: "absolute", ents: one(file("/abs/evil", 0, "x")), want: ErrOutside},
		{name: "dot-dot inside", ents: one(file("a/../../evil", 0, "x")), want: ErrOutside},
		{name: "symlink to outside then through it", ents: func(tmp string) []ent {
			return []ent{file("ok.txt", 0, "ok"), symlink("link", filepath.Join(tmp, "outside")), file("link/passwd", 0, "x")}
		}, want: ErrOutside, written: []string{"ok.txt"}},
		{name: "symlink to /etc", ents: one(symlink("link", "/etc"), file("link/pyro-never-written", 0, "x")), want: ErrOutside},
		{name: "symlink up", ents: one(symlink("up", "../..")), want: ErrOutside},
		{name: "nested symlink up", ents: one(dir("sub/", 0), symlink("sub/up", "../../outside")), want: ErrOutside,
			written: []string{"sub"}},
		{name: "hardlink to /etc/passwd", ents: one(hardlink("h", "/etc/passwd")), want: ErrOutside},
		{name: "hardlink up", ents: one(hardlink("h", "../outside/f")), want: ErrOutside},
		{name: "hardlink to a name not in the archive", setup: func(t *testing.T, tmp, dest string) {
			mustWrite(t, filepath.Join(dest, "existing"), "x", 0o644)
		}, ents: one(hardlink("h", "existing")), want: ErrOutside},
		{name: "hardlink to an earlier symlink", ents: one(symlink("s", "x"), hardlink("h", "s")), want: ErrOutside,
			written: []string{"s"}},
		{name: "hardlink to a later file", ents: one(hardlink("h", "f"), file("f", 0, "x")), want: ErrOutside},
		{name: "char device", ents: one(special("null", tar.TypeChar)), want: ErrInvalid},
		{name: "block device", ents: one(special("sda", tar.TypeBlock)), want: ErrInvalid},
		{name: "fifo", ents: one(special("fifo", tar.TypeFifo)), want: ErrInvalid},
		{name: "existing symlink parent to outside", setup: func(t *testing.T, tmp, dest string) {
			mustSymlink(t, filepath.Join(tmp, "outside"), filepath.Join(dest, "out"))
		}, ents: one(file("out/x", 0, "x")), want: ErrOutside},
		{name: "existing relative symlink parent to outside", setup: func(t *testing.T, tmp, dest string) {
			mustSymlink(t, "../../outside", filepath.Join(dest, "out"))
		}, ents: one(dir("out/sub/", 0)), want: ErrOutside},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			root := filepath.Join(tmp, "ws")
			dest := filepath.Join(root, "dest")
			mustWrite(t, filepath.Join(tmp, "outside/f"), "keep", 0o644)
			mustWrite(t, filepath.Join(root, "sibling"), "keep", 0o644)
			if err := os.MkdirAll(dest, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.setup != nil {
				tt.setup(t, tmp, dest)
			}
			before := snapshot(t, tmp, dest)
			destBefore := snapshot(t, dest, "")
			_, err := Extract(root, "dest", tarball(t, tt.ents(tmp)...))
			wantErr(t, err, tt.want)
			if after := snapshot(t, tmp, dest); len(after) != len(before) {
				t.Errorf("outside dest changed:\nbefore %v\nafter  %v", before, after)
			} else {
				for p, v := range before {
					if after[p] != v {
						t.Errorf("%s changed: %q -> %q", p, v, after[p])
					}
				}
			}
			for p := range snapshot(t, dest, "") {
				rel, _ := filepath.Rel(dest, p)
				if _, ok := destBefore[p]; !ok && !contains(tt.written, rel) {
					t.Errorf("unexpected %s written in dest", rel)
				}
			}
			if exists("/etc/pyro-never-written") {
				t.Error("/etc/pyro-never-written was written")
			}
		})
	}
}

func one(e ...ent) func(string) []ent { return func(string) []ent { return e } }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestExtractReplacesNotFollows: whatever already sits at an entry's path
// (a symlink, a hardlink to a file elsewhere) is replaced, not written to.
func TestExtractReplacesNotFollows(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "ws")
	outside := filepath.Join(tmp, "outside")
	mustWrite(t, filepath.Join(outside, "f"), "keep", 0o644)
	mustWrite(t, filepath.Join(outside, "g"), "keep", 0o644)
	mustWrite(t, filepath.Join(root, "placeholder"), "", 0o644)
	mustSymlink(t, filepath.Join(outside, "f"), filepath.Join(root, "out"))
	mustSymlink(t, outside, filepath.Join(root, "outdir"))
	if err := os.Link(filepath.Join(outside, "g"), filepath.Join(root, "hl")); err != nil {
		t.Fatal(err)
	}
	_, err := Extract(root, "", tarball(t, file("out", 0, "new"), dir("outdir/", 0), file("outdir/x", 0, "new"), file("hl", 0, "new")))
	wantErr(t, err, nil)
	for _, p := range []string{"out", "outdir/x", "hl"} {
		if got := readString(t, filepath.Join(root, p)); got != "new" {
			t.Errorf("%s = %q", p, got)
		}
	}
	if fi, _ := os.Lstat(filepath.Join(root, "outdir")); !fi.IsDir() {
		t.Error("outdir is still a symlink")
	}
	if got := snapshot(t, outside, ""); len(got) != 3 || got[filepath.Join(outside, "f")] != "file:keep" || got[filepath.Join(outside, "g")] != "file:keep" {
		t.Errorf("outside changed: %v", got)
	}
}

func TestExtractBadRoot(t *testing.T) {
	tmp := t.TempDir()
	mustWrite(t, filepath.Join(tmp, "file"), "x", 0o644)
	for _, tt := range []struct {
		root, rel string
		want      error
	}{
		{"relative", "", ErrInvalid},
		{filepath.Join(tmp, "missing"), "", ErrNotFound},
		{filepath.Join(tmp, "file"), "", ErrInvalid},
		{tmp, "file/sub", ErrInvalid},
		{tmp, "../x", ErrOutside},
	} {
		_, err := Extract(tt.root, tt.rel, tarball(t))
		if !errors.Is(err, tt.want) {
			t.Errorf("Extract(%q, %q) = %v, want %v", tt.root, tt.rel, err, tt.want)
		}
	}
}

// TestExtractCutShortKeepsOldFile: a file whose content never arrives whole
// (here the stream ends inside it; a full disk ends the same way) leaves the
// file that was there unchanged, and no temporary file behind.
func TestExtractCutShortKeepsOldFile(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "a"), "old", 0o644)
	whole, err := io.ReadAll(tarball(t, file("a", 0, strings.Repeat("new", 4000))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Extract(root, "", bytes.NewReader(whole[:3000])) // header and part of the body
	wantErr(t, err, ErrInvalid)
	if got := readString(t, filepath.Join(root, "a")); got != "old" {
		t.Errorf("a = %q, want the old content", got)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	// A directory where a file entry lands is refused, and stays a directory.
	mustWrite(t, filepath.Join(root, "d", "keep"), "x", 0o644)
	_, err = Extract(root, "", tarball(t, file("d", 0, "file")))
	wantErr(t, err, ErrInvalid)
	if fi, _ := os.Stat(filepath.Join(root, "d")); fi == nil || !fi.IsDir() {
		t.Error("d is no longer a directory")
	}
}

// TestExtractWritesUnnamed: while a file's content streams in, the
// directory shows no partial or temporary file (it is written unnamed and
// named only once complete), so a VM that dies mid-push leaves nothing.
func TestExtractWritesUnnamed(t *testing.T) {
	root := t.TempDir()
	whole, err := io.ReadAll(tarball(t, file("a", 0, strings.Repeat("x", 3<<20))))
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { _, err := Extract(root, "", pr); done <- err }()
	if _, err := pw.Write(whole[:2<<20]); err != nil { // header and 2 MiB of the body
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(root)
	_ = pw.CloseWithError(io.ErrUnexpectedEOF)
	<-done
	if len(entries) != 0 {
		t.Errorf("mid-stream the directory shows %v", entries)
	}
	if left, _ := os.ReadDir(root); len(left) != 0 {
		t.Errorf("after the cut: %v", left)
	}
}

// TestCreateTemp: the named fallback (file systems without O_TMPFILE) makes
// a new, empty, owner-only file under a fresh hidden name each time.
func TestCreateTemp(t *testing.T) {
	root := t.TempDir()
	dir, err := unix.Open(root, unix.O_DIRECTORY|unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dir)
	a, fdA, err := createTemp(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, fdB, err := createTemp(dir)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fdA)
	unix.Close(fdB)
	if a == b || !strings.HasPrefix(a, ".pyro-tmp-") {
		t.Errorf("names %q and %q", a, b)
	}
	fi, err := os.Stat(filepath.Join(root, a))
	if err != nil || fi.Size() != 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v %v", a, fi, err)
	}
}
