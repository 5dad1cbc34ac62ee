package trace

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMarkAppendsJSONLines(t *testing.T) {
	file := filepath.Join(t.TempDir(), "trace.jsonl")
	path = file
	defer func() { path = "" }()
	Mark("listening")
	Mark("agent_ready", "boot_ms", 42, 7, "ignored: not a name")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines: %q", len(lines), b)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &got); err != nil {
		t.Fatal(err)
	}
	if got["event"] != "agent_ready" || got["src"] != "supervisor" || got["boot_ms"] != float64(42) {
		t.Errorf("second mark: %v", got)
	}
	if ms, _ := got["t_ms"].(float64); ms < 1.7e12 {
		t.Errorf("t_ms %v is not Unix time in ms", got["t_ms"])
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestMarkWithoutTraceFileDoesNothing(t *testing.T) {
	path = ""
	Mark("listening") // must not panic or write anywhere
}
