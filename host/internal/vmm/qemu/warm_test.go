package qemu

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

func TestOpenMemoryFileOnlyForAPrivateMap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		vm   protocol.VM
		open bool
	}{
		{protocol.VM{MemoryPath: path}, true},
		{protocol.VM{MemoryPath: path, MemoryShared: true}, false}, // a template being made
		{protocol.VM{MemoryAnonymous: true}, false},
		{protocol.VM{MemoryPath: path + ".gone"}, false},
	} {
		f := openMemoryFile(tc.vm)
		if (f != nil) != tc.open {
			t.Errorf("%+v: opened %v, want %v", tc.vm, f != nil, tc.open)
		}
		if f != nil {
			_ = f.Close()
		}
	}
}

func TestWarmMemoryReadsTheWholeFileUnlessCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 3*warmChunk + 4096 // sparse: holes are what it is for
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if n, _ := warmMemory(context.Background(), f); n != size {
		t.Fatalf("read %d bytes, want %d", n, size)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if n, _ := warmMemory(cancelled, f); n != 0 {
		t.Fatalf("read %d bytes after cancel", n)
	}
	if n, _ := warmMemory(context.Background(), nil); n != 0 {
		t.Fatalf("read %d bytes of no file", n)
	}
}
