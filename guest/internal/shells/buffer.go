package shells

import (
	"fmt"
	"sync"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/execproc"
)

// BufferSize bounds the output kept per shell (protocol: 1 MiB).
const BufferSize = 1 << 20

// Buffer is the append-only output of one shell. It keeps the last size
// bytes in a ring and addresses them by absolute offsets since the shell
// opened, so a host cursor stays meaningful after old bytes are dropped.
type Buffer struct {
	mu     sync.Mutex
	ring   []byte
	end    int64         // offset one past the last byte written
	last   time.Time     // when output last arrived
	notify chan struct{} // closed and replaced on every write (broadcast)
}

func newBuffer(size int) *Buffer {
	return &Buffer{ring: make([]byte, size), notify: make(chan struct{})}
}

// Write appends p, dropping the oldest bytes beyond the bound. It never
// fails, so a flood of output cannot stall the reader of the PTY.
func (b *Buffer) Write(p []byte) (int, error) {
	n := len(p)
	if n == 0 {
		return 0, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	size := len(b.ring)
	b.end += int64(n - min(n, size)) // bytes that never fit are dropped at once
	for p = p[max(0, n-size):]; len(p) > 0; {
		k := copy(b.ring[b.end%int64(size):], p)
		b.end += int64(k)
		p = p[k:]
	}
	b.last = time.Now()
	close(b.notify)
	b.notify = make(chan struct{})
	return n, nil
}

// Chunk is one read of the buffer.
type Chunk struct {
	Data    []byte
	Next    int64 // offset after Data: the cursor for the next read
	Dropped int64 // bytes before the requested cursor no longer kept
	More    bool  // data exists past Next (the read was cut by max)
}

// Read returns up to max bytes from offset from. A cursor older than the
// buffer start reads from the start and reports the gap as Dropped. Data
// ends on a UTF-8 rune boundary: a rune cut by max, or one whose tail has
// not arrived yet, is left for the next read, unless final (nothing more
// will come) or that would return nothing at all.
func (b *Buffer) Read(from int64, max int, final bool) (Chunk, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if from < 0 || from > b.end {
		return Chunk{}, fmt.Errorf("%w: cursor %d outside 0..%d", ErrInvalid, from, b.end)
	}
	var c Chunk
	if start := b.start(); from < start {
		c.Dropped, from = start-from, start
	}
	n := int(min(b.end-from, int64(max)))
	data := make([]byte, n)
	size := int64(len(b.ring))
	for k := 0; k < n; {
		k += copy(data[k:], b.ring[(from+int64(k))%size:])
	}
	cut := int64(n) < b.end-from
	if cut || !final {
		if head, _ := execproc.SplitRunes(data); len(head) > 0 {
			data = head
		}
	}
	c.Data, c.Next, c.More = data, from+int64(len(data)), cut
	return c, nil
}

func (b *Buffer) start() int64 { return max(0, b.end-int64(len(b.ring))) }

// End is the offset one past the last byte written.
func (b *Buffer) End() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.end
}

// LastWrite is when output last arrived (zero if never).
func (b *Buffer) LastWrite() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// Changed returns a channel closed by the next Write.
func (b *Buffer) Changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.notify
}
