//go:build linux

package identity

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteMachineIDReplacesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "machine-id")
	if err := os.WriteFile(path, []byte("uninitialized\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	id := "0123456789abcdef0123456789abcdef"
	if err := WriteMachineID(path, id); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != id+"\n" {
		t.Fatalf("machine-id %q, %v", got, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left behind %v", entries)
	}
}
