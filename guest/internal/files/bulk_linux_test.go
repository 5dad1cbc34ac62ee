package files

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Sizes around the O_DIRECT threshold and chunk, with unaligned tails.
var bulkSizes = []int{0, 1, 4095, bulkMinBytes - 1, bulkMinBytes, bulkChunk, bulkChunk + 4096, 2*bulkChunk + 12345}

func newFileFd(t *testing.T) (int, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	fd, err := unix.Open(p, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return fd, p
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriteBodyWritesEveryByte(t *testing.T) {
	for _, size := range bulkSizes {
		want := randomBytes(t, size)
		fd, p := newFileFd(t)
		// iotest-style small reads: chunks must be assembled, not written as they come.
		n, err := writeBody(fd, io.LimitReader(bytes.NewReader(want), int64(size)), int64(size))
		unix.Close(fd)
		if err != nil || n != int64(size) {
			t.Fatalf("size %d: wrote %d, %v", size, n, err)
		}
		got, _ := os.ReadFile(p)
		if !bytes.Equal(got, want) {
			t.Fatalf("size %d: content differs (got %d bytes)", size, len(got))
		}
	}
}

func TestWriteBodyCutStream(t *testing.T) {
	want := randomBytes(t, bulkChunk+100)
	fd, _ := newFileFd(t)
	defer unix.Close(fd)
	// A tar entry cut short reports ErrUnexpectedEOF, like io.Copy from a tar.Reader.
	r := io.MultiReader(bytes.NewReader(want), errReader{io.ErrUnexpectedEOF})
	if _, err := writeBody(fd, r, int64(len(want))+5000); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("want ErrUnexpectedEOF, got %v", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestReadBodySendsExactlySize(t *testing.T) {
	for _, size := range bulkSizes {
		want := randomBytes(t, size)
		p := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(p, want, 0o600); err != nil {
			t.Fatal(err)
		}
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = readBody(&out, fd, int64(size))
		if err != nil || !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("size %d: %v, %d bytes", size, err, out.Len())
		}
		// The file grew after the header was written: only the announced bytes go.
		if size > 0 {
			out.Reset()
			if _, err := unix.Seek(fd, 0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			if err := readBody(&out, fd, int64(size-1)); err != nil || !bytes.Equal(out.Bytes(), want[:size-1]) {
				t.Fatalf("size %d, one byte fewer announced: %v, %d bytes", size, err, out.Len())
			}
			// It shrank: the stream fails instead of being padded.
			if _, err := unix.Seek(fd, 0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			if err := readBody(io.Discard, fd, int64(size+1)); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("size %d, one byte more announced: want ErrUnexpectedEOF, got %v", size, err)
			}
		}
		unix.Close(fd)
	}
}
