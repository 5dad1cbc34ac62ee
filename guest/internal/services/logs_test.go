package services

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLastLines(t *testing.T) {
	tests := []struct {
		in      string
		n       int
		want    string
		wantCut bool
	}{
		{"a\nb\nc\n", 2, "b\nc\n", true},
		{"a\nb\nc\n", 3, "a\nb\nc\n", false},
		{"a\nb\nc\n", 10, "a\nb\nc\n", false},
		{"a\nb\nc", 1, "c", true},
		{"a\nb\n\n", 1, "\n", true},
		{"", 5, "", false},
		{"a\n", 0, "", true},
	}
	for _, tt := range tests {
		got, cut := lastLines([]byte(tt.in), tt.n)
		if string(got) != tt.want || cut != tt.wantCut {
			t.Errorf("lastLines(%q, %d) = %q, %v; want %q, %v", tt.in, tt.n, got, cut, tt.want, tt.wantCut)
		}
	}
}

// Past the cap the file is cut to its last logKeep bytes and reads report
// truncated.
func TestLogCap(t *testing.T) {
	oldCap, oldKeep := logCap, logKeep
	logCap, logKeep = 100, 40
	t.Cleanup(func() { logCap, logKeep = oldCap, oldKeep })

	l, err := openLog(filepath.Join(t.TempDir(), "stdout.log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	l.pipeW.Close()
	var all strings.Builder
	for i := 0; i < 30; i++ {
		line := strings.Repeat(string(rune('a'+i%26)), 9) + "\n"
		all.WriteString(line)
		l.Write([]byte(line))
	}
	b, err := os.ReadFile(l.path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) > logCap || !strings.HasSuffix(all.String(), string(b)) {
		t.Errorf("kept %d bytes %q: not a suffix within the cap", len(b), b)
	}
	got, cut, err := l.tail(0, true)
	if err != nil || got != string(b) || !cut {
		t.Errorf("tail(all) = %q, %v, %v", got, cut, err)
	}
	got, _, _ = l.tail(1, false)
	if got != "ddddddddd\n" { // the 30th line
		t.Errorf("last line %q", got)
	}
	l.close()
	l.Write([]byte("after close\n")) // a replaced service's leftovers: dropped
	if b2, _ := os.ReadFile(l.path); string(b2) != string(b) {
		t.Error("write after close reached the file")
	}
}

// The pump copies what the child writes into the pipe.
func TestLogPump(t *testing.T) {
	l, err := openLog(filepath.Join(t.TempDir(), "stderr.log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	l.pipeW.Write([]byte("one\ntwo\n"))
	l.pipeW.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if got, _, _ := l.tail(100, false); got == "one\ntwo\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("pump did not copy")
		}
	}
}

// A secret written in two pieces is redacted before it reaches the file,
// and a possible start of one is written out when the pipe ends.
func TestLogPumpRedacts(t *testing.T) {
	secrets := func() [][]byte { return [][]byte{[]byte("hunter2")} }
	l, err := openLog(filepath.Join(t.TempDir(), "stdout.log"), secrets)
	if err != nil {
		t.Fatal(err)
	}
	l.pipeW.Write([]byte("pw=hun"))
	time.Sleep(20 * time.Millisecond) // two reads, most likely
	l.pipeW.Write([]byte("ter2\nhunt"))
	l.pipeW.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if got, _, _ := l.tail(100, true); got == "pw=[REDACTED]\nhunt" {
			break
		}
		if time.Now().After(deadline) {
			got, _, _ := l.tail(100, true)
			t.Fatalf("log %q", got)
		}
	}
	l.writeLine("pyro-agent: exec \"hunter2\": not found\n")
	if got, _, _ := l.tail(0, true); got != "pw=[REDACTED]\nhuntpyro-agent: exec \"[REDACTED]\": not found\n" {
		t.Errorf("agent line %q", got)
	}
}
