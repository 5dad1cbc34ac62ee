package consolelog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCap(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 8_000_000, time.UTC)
	tests := []struct {
		name      string
		size      int // -1 = no file
		max       int64
		wantCut   bool
		wantAfter string // content after Cap ("" = unchanged size check only)
	}{
		{"no log yet", -1, 10, false, ""},
		{"under the cap", 10, 10, false, ""},
		{"over the cap is cut to a marker", 11, 10, true, "[pyro: console log truncated at 2025-03-04T05:06:07.008Z]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "console.log")
			if tt.size >= 0 {
				if err := os.WriteFile(path, []byte(strings.Repeat("x", tt.size)), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cut, err := Cap(path, tt.max, now)
			if err != nil || cut != tt.wantCut {
				t.Fatalf("Cap = %v, %v; want %v", cut, err, tt.wantCut)
			}
			if tt.wantAfter != "" {
				got, _ := os.ReadFile(path)
				if string(got) != tt.wantAfter {
					t.Fatalf("after Cap: %q", got)
				}
			}
		})
	}
}

func TestCapKeepsAppendingWriterAtTheEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.log")
	w, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) // as QEMU's append=on
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	_, _ = w.WriteString(strings.Repeat("y", 100))
	if cut, err := Cap(path, 50, time.Now()); !cut || err != nil {
		t.Fatalf("Cap = %v, %v", cut, err)
	}
	_, _ = w.WriteString("after\n")
	got, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(got), "[pyro: console log truncated") || !strings.HasSuffix(string(got), "]\nafter\n") {
		t.Fatalf("log = %q", got)
	}
}

func TestTail(t *testing.T) {
	tests := []struct {
		name, content string
		from          int64
		n, max        int
		want          string
	}{
		{"last lines joined", "a\nb\n\nc\nd\n", 0, 3, 600, "b | c | d"},
		{"carriage returns dropped", "boot\r\nKernel panic\r\n", 0, 5, 600, "boot | Kernel panic"},
		{"capped from the end", "0123456789\n", 0, 5, 4, "6789"},
		{"only this boot's lines", "old boot\nnew boot\n", 9, 5, 600, "new boot"},
		{"a log cut since is read from its start", "marker\n", 100, 5, 600, "marker"},
		{"empty", "", 0, 5, 600, ""},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "console.log")
		_ = os.WriteFile(path, []byte(tt.content), 0o600)
		if got := Tail(path, tt.from, tt.n, tt.max); got != tt.want {
			t.Errorf("%s: Tail = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := Size(filepath.Join(t.TempDir(), "none")); got != 0 {
		t.Errorf("Size of a missing log = %d", got)
	}
	if got := Tail("/nonexistent/console.log", 0, 5, 600); got != "" {
		t.Errorf("missing file: %q", got)
	}
}
