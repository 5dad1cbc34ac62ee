package redact

import (
	"io"
	"sync"
	"time"
)

// Writer is a Stream in front of an io.Writer. With idle > 0, bytes held
// for idle with no new write are flushed anyway: a shell prompt that ends
// in the first bytes of a secret must not be withheld until the next
// output. The price is that a value whose bytes arrive more than idle
// apart is not redacted.
type Writer struct {
	dst  io.Writer
	idle time.Duration

	mu    sync.Mutex
	s     *Stream
	timer *time.Timer
	last  time.Time // of the last Write
	err   error     // from a flush by the timer, reported by the next call
}

// NewWriter redacts what is written before passing it to dst.
func NewWriter(dst io.Writer, src Source, idle time.Duration) *Writer {
	return &Writer{dst: dst, idle: idle, s: NewStream(src)}
}

// Write passes on what is decided; it reports len(p) unless dst fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.takeErr(); err != nil {
		return 0, err
	}
	w.last = time.Now()
	if out := w.s.Write(p); len(out) > 0 {
		if _, err := w.dst.Write(out); err != nil {
			return 0, err
		}
	}
	w.arm()
	return len(p), nil
}

// Flush passes on the held bytes: at the end of the stream.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
	if err := w.takeErr(); err != nil {
		return err
	}
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	if out := w.s.Flush(); len(out) > 0 {
		if _, err := w.dst.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// arm starts the idle timer while bytes are held and stops it otherwise.
func (w *Writer) arm() {
	if w.idle <= 0 {
		return
	}
	if w.s.Held() == 0 {
		if w.timer != nil {
			w.timer.Stop()
		}
		return
	}
	if w.timer == nil {
		w.timer = time.AfterFunc(w.idle, w.idleFlush)
	} else {
		w.timer.Reset(w.idle)
	}
}

// idleFlush runs on the timer. A Write that came in while it waited for
// the lock has re-armed the timer, so it leaves the bytes to that run.
func (w *Writer) idleFlush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if time.Since(w.last) < w.idle {
		return
	}
	if err := w.flushLocked(); err != nil && w.err == nil {
		w.err = err
	}
}

func (w *Writer) takeErr() error {
	err := w.err
	w.err = nil
	return err
}
