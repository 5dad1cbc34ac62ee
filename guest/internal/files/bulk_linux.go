package files

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// Large regular files move between the disk and the host channel with
// O_DIRECT and big aligned buffers. Under TCG every byte the guest CPU
// copies is emulated: a 200 MB file costs about 6 s through the page cache
// (copy plus per-page bookkeeping) but about 1.5 s with O_DIRECT, where
// QEMU moves the bytes between guest RAM and the image at host speed.
// Small files keep buffered I/O: one synchronous disk request per file
// would cost more than the copy it saves.
const (
	// bulkMinBytes is the file size from which O_DIRECT is used (1 MiB).
	bulkMinBytes = 1 << 20
	// bulkChunk is the size of one disk request and of one write to the
	// host stream (4 MiB: past that, larger requests gain nothing under TCG).
	bulkChunk = 4 << 20
	// directAlign is the alignment O_DIRECT needs for buffer address, file
	// offset and length: the page size covers every block size in use.
	directAlign = 4096
)

// bulkBuffers is a small free list of page-aligned chunk buffers. They are
// mmapped (the Go heap gives no alignment guarantee) and so never freed by
// the GC: the list holds two, extra ones made under concurrency are unmapped.
var bulkBuffers = make(chan []byte, 2)

func getBulkBuffer() ([]byte, error) {
	select {
	case b := <-bulkBuffers:
		return b, nil
	default:
	}
	b, err := unix.Mmap(-1, 0, bulkChunk, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, fmt.Errorf("transfer buffer: %w", err)
	}
	return b, nil
}

func putBulkBuffer(b []byte) {
	select {
	case bulkBuffers <- b:
	default:
		_ = unix.Munmap(b)
	}
}

// setDirect turns O_DIRECT on or off for fd; false when the file system
// refuses it (tmpfs, overlay on some kernels), which callers treat as
// "stay buffered".
func setDirect(fd int, on bool) bool {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return false
	}
	if on {
		fl |= unix.O_DIRECT
	} else {
		fl &^= unix.O_DIRECT
	}
	_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl)
	return err == nil
}

// writeFull writes all of p at fd's offset, retrying short writes and EINTR.
func writeFull(fd int, p []byte) error {
	_, err := writeCounted(fd, p)
	return err
}

// writeCounted writes all of p and says how much got written before an error.
func writeCounted(fd int, p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := unix.Write(fd, p[done:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// writeBody copies r (a tar entry of size bytes) into the new, empty file
// fd and returns the bytes written. Whole aligned chunks go with O_DIRECT;
// the unaligned tail, and everything after the file system refuses
// O_DIRECT, is written buffered. Errors of r are returned as they are.
func writeBody(fd int, r io.Reader, size int64) (int64, error) {
	direct := size >= bulkMinBytes && setDirect(fd, true)
	if direct {
		defer setDirect(fd, false) // leave the descriptor as it was given
	}
	buf, err := getBulkBuffer()
	if err != nil {
		return 0, err
	}
	defer putBulkBuffer(buf)
	if !direct {
		return io.CopyBuffer(fdWriter(fd), r, buf)
	}
	var total int64
	for {
		n, rerr := io.ReadFull(r, buf)
		if errors.Is(rerr, io.ErrUnexpectedEOF) && total+int64(n) == size {
			rerr = io.EOF // the last, partial chunk of a complete entry
		}
		aligned := 0
		if direct {
			aligned = n &^ (directAlign - 1)
		}
		if aligned > 0 {
			written, err := writeCounted(fd, buf[:aligned])
			if errors.Is(err, unix.EINVAL) {
				// Refused after all: what was not written goes buffered, from where
				// the direct writes stopped (never twice).
				direct, aligned = false, written
				setDirect(fd, false)
			} else if err != nil {
				return total, err
			}
		}
		if n > aligned {
			if direct { // only the tail is left
				setDirect(fd, false)
				direct = false
			}
			if err := writeFull(fd, buf[aligned:n]); err != nil {
				return total + int64(aligned), err
			}
		}
		total += int64(n)
		if errors.Is(rerr, io.EOF) {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// readBody writes exactly size bytes of the regular file fd to w in chunks
// of up to bulkChunk, reading with O_DIRECT when the file is large. A file
// that shrank meanwhile fails with io.ErrUnexpectedEOF; bytes past size (it
// grew) are not sent.
func readBody(w io.Writer, fd int, size int64) error {
	direct := size >= bulkMinBytes && setDirect(fd, true)
	if direct {
		defer setDirect(fd, false) // leave the descriptor as it was given
	}
	buf, err := getBulkBuffer()
	if err != nil {
		return err
	}
	defer putBulkBuffer(buf)
	for left := size; left > 0; {
		want := int(min(left, int64(len(buf))))
		if direct {
			want = (want + directAlign - 1) &^ (directAlign - 1) // O_DIRECT reads whole blocks
		}
		n, err := unix.Read(fd, buf[:want])
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EINVAL) && direct:
			direct = !setDirect(fd, false)
			continue
		case err != nil:
			return err
		case n == 0:
			return io.ErrUnexpectedEOF
		}
		n = int(min(int64(n), left))
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		left -= int64(n)
	}
	return nil
}

// fdWriter writes to a raw descriptor (the buffered path of writeBody).
type fdWriter int

func (f fdWriter) Write(p []byte) (int, error) {
	if err := writeFull(int(f), p); err != nil {
		return 0, err
	}
	return len(p), nil
}
