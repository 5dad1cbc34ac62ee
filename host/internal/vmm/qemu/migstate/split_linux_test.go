package migstate

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// allocatedBytes is how much of the file's disk is allocated.
func allocatedBytes(info os.FileInfo) int64 {
	return info.Sys().(*syscall.Stat_t).Blocks * 512
}

func TestSplitLeavesZeroPagesAsHoles(t *testing.T) {
	var s stream
	s.header()
	s.section(secStart)
	s.be64(1024*pageSize | flagMemSize)
	s.str8("microvm.ram")
	s.be64(1024 * pageSize)
	s.be64(flagEOS)
	s.section(secEnd)
	for page := range uint64(1024) {
		data := []byte{0}
		if page == 1000 {
			data = filled(3)
		}
		name := ""
		if page == 0 {
			name = "microvm.ram"
		}
		s.page(name, page*pageSize, data)
	}
	s.be64(flagEOS)
	s.Write(devices)
	dir := t.TempDir()
	memory, err := os.Create(filepath.Join(dir, "memory"))
	if err != nil {
		t.Fatal(err)
	}
	defer memory.Close()
	if _, err := Split(bytes.NewReader(s.Bytes()), &bytes.Buffer{}, memory, Options{}); err != nil {
		t.Fatal(err)
	}
	info, err := memory.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() != 1024*pageSize {
		t.Fatalf("image size %d", info.Size())
	}
	if blocks := allocatedBytes(info); blocks > 64*1024 {
		t.Fatalf("%d bytes allocated for one page of data: zero pages were written", blocks)
	}
}
