package files

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tree builds a small workspace plus a sibling "outside" directory.
func tree(t *testing.T) (root, outside string) {
	t.Helper()
	tmp := t.TempDir()
	root, outside = filepath.Join(tmp, "ws"), filepath.Join(tmp, "outside")
	mustWrite(t, filepath.Join(outside, "f"), "secret", 0o644)
	mustWrite(t, filepath.Join(root, "a.txt"), "hello", 0o644)
	mustWrite(t, filepath.Join(root, "bin/run.sh"), "#!/bin/sh\n", 0o755)
	mustWrite(t, filepath.Join(root, "sub/deep/x"), "x", 0o600)
	mustSymlink(t, "a.txt", filepath.Join(root, "link"))
	mustSymlink(t, "sub", filepath.Join(root, "dirlink"))
	mustSymlink(t, outside, filepath.Join(root, "out"))
	return root, outside
}

func TestList(t *testing.T) {
	root, _ := tree(t)
	// "path type mode size target" per entry; dir sizes vary by filesystem.
	show := func(es []Entry) string {
		var b strings.Builder
		for _, e := range es {
			size := fmt.Sprint(e.Size)
			if e.Type == "dir" {
				size = "-"
			}
			fmt.Fprintf(&b, "%s %s %04o %s %s\n", e.Path, e.Type, e.Mode, size, e.LinkTarget)
			if time.Since(e.ModTime) > time.Hour {
				t.Errorf("%s: mtime %v", e.Path, e.ModTime)
			}
		}
		return b.String()
	}
	outside := "out symlink 0777 " + fmt.Sprint(len(filepath.Dir(root))+len("/outside")) + " " + filepath.Join(filepath.Dir(root), "outside") + "\n"
	tests := []struct {
		rel       string
		recursive bool
		want      string
		wantErr   error
	}{
		{"", true, "a.txt file 0644 5 \nbin dir 0755 - \nbin/run.sh file 0755 10 \ndirlink symlink 0777 3 sub\n" +
			"link symlink 0777 5 a.txt\n" + outside + "sub dir 0755 - \nsub/deep dir 0755 - \nsub/deep/x file 0600 1 \n", nil},
		{".", false, "a.txt file 0644 5 \nbin dir 0755 - \ndirlink symlink 0777 3 sub\nlink symlink 0777 5 a.txt\n" +
			outside + "sub dir 0755 - \n", nil},
		{"sub", true, "sub/deep dir 0755 - \nsub/deep/x file 0600 1 \n", nil},
		{"bin/run.sh", false, "bin/run.sh file 0755 10 \n", nil},
		{"dirlink", true, "dirlink symlink 0777 3 sub\n", nil}, // not descended
		{"dirlink/deep", false, "dirlink/deep/x file 0600 1 \n", nil},
		{"missing", false, "", ErrNotFound},
		{"../ws", false, "", ErrOutside},
		{"out/f", false, "", ErrOutside},
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			es, err := List(root, tt.rel, tt.recursive)
			wantErr(t, err, tt.wantErr)
			if got := show(es); err == nil && got != tt.want {
				t.Errorf("got\n%swant\n%s", got, tt.want)
			}
		})
	}
}

func TestOpenFile(t *testing.T) {
	root, _ := tree(t)
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rel, want string
		wantErr   error
	}{
		{"a.txt", "hello", nil},
		{"dirlink/deep/x", "x", nil}, // a symlinked parent that stays inside
		{"link", "", ErrInvalid},     // a symlink, even pointing inside
		{"out", "", ErrInvalid},
		{"sub", "", ErrInvalid},
		{"fifo", "", ErrInvalid}, // and it must not block
		{"missing", "", ErrNotFound},
		{"out/f", "", ErrOutside},
		{"../outside/f", "", ErrOutside},
		{"/etc/passwd", "", ErrOutside},
	}
	for _, tt := range tests {
		f, err := OpenFile(root, tt.rel)
		if tt.wantErr != nil || err != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s: err %v, want %v", tt.rel, err, tt.wantErr)
			}
			continue
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if string(b) != tt.want {
			t.Errorf("%s: %q, want %q", tt.rel, b, tt.want)
		}
	}
}

func TestWrite(t *testing.T) {
	root, outside := tree(t)
	tests := []struct {
		name, rel string
		data      string
		mode      int64
		wantMode  os.FileMode
		wantErr   error
	}{
		{"new with parents", "new/dir/f.txt", "n", -1, 0o644, nil},
		{"explicit mode", "script.sh", "#!", 0o755, 0o755, nil},
		{"setuid stripped", "s", "", 0o4755, 0o755, nil},
		{"keeps existing mode", "sub/deep/x", "y", -1, 0o600, nil},
		{"symlinked parent to outside", "out/f", "pwned", -1, 0, ErrOutside},
		{"symlinked parent to outside, new dir", "out/new/f", "pwned", -1, 0, ErrOutside},
		{"dot-dot", "../outside/f", "pwned", -1, 0, ErrOutside},
		{"a directory", "sub", "x", -1, 0, ErrInvalid},
		{"the root", "", "x", -1, 0, ErrInvalid},
		{"parent is a file", "a.txt/x", "x", -1, 0, ErrInvalid},
		{"too big", "big", strings.Repeat("x", MaxWrite+1), -1, 0, ErrInvalid},
		{"exactly the cap", "cap", strings.Repeat("x", MaxWrite), -1, 0o644, nil},
		{"last: replaces a symlink to outside", "out", "z", -1, 0o644, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(root, tt.rel, []byte(tt.data), tt.mode)
			wantErr(t, err, tt.wantErr)
			if err != nil {
				return
			}
			p := filepath.Join(root, tt.rel)
			if got := readString(t, p); got != tt.data {
				t.Errorf("content %q", got)
			}
			if got := perm(t, p); got != tt.wantMode {
				t.Errorf("mode %v, want %v", got, tt.wantMode)
			}
		})
	}
	if got := readString(t, filepath.Join(outside, "f")); got != "secret" {
		t.Errorf("outside/f = %q", got)
	}
	if got := snapshot(t, outside, ""); len(got) != 2 {
		t.Errorf("outside changed: %v", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(root, "*", ".pyro-write-*"))
	top, _ := filepath.Glob(filepath.Join(root, ".pyro-write-*"))
	if len(leftovers)+len(top) > 0 {
		t.Errorf("temp files left: %v %v", leftovers, top)
	}
}

func TestRemove(t *testing.T) {
	root, outside := tree(t)
	tests := []struct {
		rel     string
		wantErr error
	}{
		{"", ErrInvalid},
		{".", ErrInvalid},
		{"./", ErrInvalid},
		{"missing", ErrNotFound},
		{"../outside", ErrOutside},
		{"out/f", ErrOutside},
		{"out", nil},     // the symlink only
		{"dirlink", nil}, // the symlink only; sub survives
		{"a.txt", nil},
		{"sub", nil}, // recursive
	}
	for _, tt := range tests {
		err := Remove(root, tt.rel)
		if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("Remove(%q) = %v, want %v", tt.rel, err, tt.wantErr)
		}
		if err == nil && exists(filepath.Join(root, tt.rel)) {
			t.Errorf("%s still exists", tt.rel)
		}
		if tt.rel == "dirlink" && !exists(filepath.Join(root, "sub/deep/x")) {
			t.Error("removing dirlink removed its target's content")
		}
	}
	if got := snapshot(t, outside, ""); len(got) != 2 {
		t.Errorf("outside changed: %v", got)
	}
	if !exists(filepath.Join(root, "bin/run.sh")) {
		t.Error("bin/run.sh was removed")
	}
}
