package redact

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func source(values ...string) Source {
	vs := make([][]byte, len(values))
	for i, v := range values {
		vs[i] = []byte(v)
	}
	return func() [][]byte { return vs }
}

// feed writes chunks through a Stream and flushes; it also returns what
// was released before the flush.
func feed(src Source, chunks ...string) (beforeFlush, all string) {
	s := NewStream(src)
	var out bytes.Buffer
	for _, c := range chunks {
		out.Write(s.Write([]byte(c)))
	}
	beforeFlush = out.String()
	out.Write(s.Flush())
	return beforeFlush, out.String()
}

func TestStream(t *testing.T) {
	tests := []struct {
		name        string
		values      []string
		chunks      []string
		wantBefore  string // released before Flush
		wantFlushed string // everything, after Flush
	}{
		{"no values", nil, []string{"hunter2"}, "hunter2", "hunter2"},
		{"whole match", []string{"hunter2"}, []string{"pw=hunter2!"}, "pw=[REDACTED]!", "pw=[REDACTED]!"},
		{"two matches", []string{"ab"}, []string{"ab-ab"}, "[REDACTED]-[REDACTED]", "[REDACTED]-[REDACTED]"},
		{"split across 2 chunks", []string{"hunter2"}, []string{"pw=hun", "ter2\n"},
			"pw=[REDACTED]\n", "pw=[REDACTED]\n"},
		{"split across 3 chunks", []string{"hunter2"}, []string{"pw=h", "unte", "r2\n"},
			"pw=[REDACTED]\n", "pw=[REDACTED]\n"},
		{"one byte per chunk", []string{"hunter2"}, strings.Split("xhunter2y", ""),
			"x[REDACTED]y", "x[REDACTED]y"},
		{"prefix that is not a secret", []string{"hunter2"}, []string{"pw=hunt", "ing\n"},
			"pw=hunting\n", "pw=hunting\n"},
		{"prefix held until flush", []string{"hunter2"}, []string{"pw=hunte"}, "pw=", "pw=hunte"},
		{"only the pending suffix is held", []string{"abc"}, []string{"ab ab"}, "ab ", "ab ab"},
		{"held bytes restart inside", []string{"aab"}, []string{"aa", "ab"}, "a[REDACTED]", "a[REDACTED]"},
		{"longest match wins", []string{"abc", "abcdef"}, []string{"xabcdefx"}, "x[REDACTED]x", "x[REDACTED]x"},
		{"longer value held over a shorter match", []string{"ab", "abcd"}, []string{"xab", "cdx"},
			"x[REDACTED]x", "x[REDACTED]x"},
		{"longer value fails, shorter matches", []string{"ab", "abcd"}, []string{"xab", "cx"},
			"x[REDACTED]cx", "x[REDACTED]cx"},
		{"shorter match found at flush", []string{"ab", "abcd"}, []string{"xabc"}, "x", "x[REDACTED]c"},
		{"overlapping values", []string{"abc", "bcd"}, []string{"abcd"}, "[REDACTED]d", "[REDACTED]d"},
		{"overlap, second starts inside first", []string{"xyz", "zzz"}, []string{"xyzzz"}, "[REDACTED]", "[REDACTED]zz"},
		{"multi-byte UTF-8 around a match", []string{"s€cr€t"}, []string{"é→s€", "cr\xe2\x82", "\xact←é"},
			"é→[REDACTED]←é", "é→[REDACTED]←é"},
		{"value that is part of a rune", []string{"\xa9"}, []string{"é"}, "\xc3[REDACTED]", "\xc3[REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, all := feed(source(tt.values...), tt.chunks...)
			if before != tt.wantBefore || all != tt.wantFlushed {
				t.Errorf("got %q then %q, want %q then %q", before, all, tt.wantBefore, tt.wantFlushed)
			}
			// Cutting the stream differently never changes the result.
			if one := string(Bytes(source(tt.values...)(), []byte(strings.Join(tt.chunks, "")))); one != all {
				t.Errorf("one-shot %q differs from streamed %q", one, all)
			}
		})
	}
}

// Every way of cutting a stream in two gives the one-shot result.
func TestStreamAnyCut(t *testing.T) {
	src := source("secret", "sec", "cretin", "€€")
	in := "a secretin sec€€ secre€"
	want := string(Bytes(src(), []byte(in)))
	if want != "a [REDACTED]in [REDACTED][REDACTED] [REDACTED]re€" {
		t.Fatalf("one-shot %q", want)
	}
	for i := 0; i <= len(in); i++ {
		for j := i; j <= len(in); j++ {
			if _, got := feed(src, in[:i], in[i:j], in[j:]); got != want {
				t.Errorf("cut at %d,%d: %q", i, j, got)
			}
		}
	}
}

// A set changed mid-stream applies from the next write on.
func TestStreamReadsSourceEachWrite(t *testing.T) {
	var values [][]byte
	s := NewStream(func() [][]byte { return values })
	first := string(s.Write([]byte("token ")))
	values = [][]byte{[]byte("token")}
	second := string(s.Write([]byte("token ")))
	if first != "token " || second != "[REDACTED] " {
		t.Errorf("got %q, %q", first, second)
	}
}

func TestString(t *testing.T) {
	got := String([][]byte{[]byte("/run/x")}, `cwd "/run/x" is not a directory`)
	if got != `cwd "[REDACTED]" is not a directory` {
		t.Errorf("got %q", got)
	}
	if !utf8.ValidString(String(nil, "é")) {
		t.Error("no values must return the input")
	}
}

// syncBuffer is a bytes.Buffer safe to read while the timer writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestWriterIdleFlush(t *testing.T) {
	var dst syncBuffer
	w := NewWriter(&dst, source("hunter2"), 50*time.Millisecond)
	w.Write([]byte("$ hunt"))
	if got := dst.String(); got != "$ " {
		t.Fatalf("before idle: %q", got)
	}
	for deadline := time.Now().Add(5 * time.Second); dst.String() != "$ hunt"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("held bytes not flushed after idle: %q", dst.String())
		}
	}
	w.Write([]byte("er2 hunter2\n"))
	if got := dst.String(); got != "$ hunter2 [REDACTED]\n" {
		t.Errorf("after idle flush: %q", got)
	}
}

func TestWriterFlush(t *testing.T) {
	var dst bytes.Buffer
	w := NewWriter(&dst, source("hunter2"), 0)
	w.Write([]byte("a hunter"))
	time.Sleep(20 * time.Millisecond) // no idle flush without idle
	if dst.String() != "a " {
		t.Fatalf("got %q", dst.String())
	}
	if err := w.Flush(); err != nil || dst.String() != "a hunter" {
		t.Errorf("after Flush: %q, %v", dst.String(), err)
	}
}
