//go:build linux

package files

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Restoring a snapshot keeps links that point anywhere, yet still never writes through them.
func TestExtractAnySymlinkTarget(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "py", Typeflag: tar.TypeSymlink, Linkname: "/usr/bin/python3"},
		{Name: "up", Typeflag: tar.TypeSymlink, Linkname: "../../x"},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if _, err := Extract(root, "", bytes.NewReader(buf.Bytes())); err == nil {
		t.Fatal("default extraction accepted an absolute symlink")
	}
	if _, err := Extract(root, "", bytes.NewReader(buf.Bytes()), Options{AnySymlinkTarget: true}); err != nil {
		t.Fatalf("restore refused links: %v", err)
	}
	for name, want := range map[string]string{"py": "/usr/bin/python3", "up": "../../x"} {
		got, err := os.Readlink(filepath.Join(root, name))
		if err != nil || got != want {
			t.Fatalf("%s -> %q (%v), want %q", name, got, err, want)
		}
	}
}
