package qemu

import (
	"bytes"
	"strings"
	"sync"
)

// tail is an io.Writer that keeps the last max bytes written and hands each
// complete line to onLine (QEMU's stderr: kept for error messages, logged).
type tail struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	partial []byte
	onLine  func(string)
}

func newTail(max int, onLine func(string)) *tail {
	return &tail{max: max, onLine: onLine}
}

// Write implements io.Writer; it never fails.
func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		if line := strings.TrimSpace(string(t.partial[:i])); line != "" && t.onLine != nil {
			t.onLine(line)
		}
		t.partial = t.partial[i+1:]
	}
	if len(t.partial) > t.max { // a line without end: log what we have
		t.onLine(string(t.partial))
		t.partial = nil
	}
	return len(p), nil
}

// String returns the kept bytes.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
