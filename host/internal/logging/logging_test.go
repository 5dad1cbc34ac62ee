package logging

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestLineShape(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "vm_0123456789ab")
	log.Info("ready", "boot_ms", 2100)
	log.Error("vmm_stderr", "text", "oops")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines: %q", lines)
	}
	for i, want := range []map[string]any{
		{"level": "info", "event": "ready", "vm_id": "vm_0123456789ab", "boot_ms": 2100.0},
		{"level": "error", "event": "vmm_stderr", "vm_id": "vm_0123456789ab", "text": "oops"},
	} {
		var got map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatal(err)
		}
		ts, _ := got["ts"].(string)
		if len(ts) != len("2025-01-01T00:00:00.000Z") || !strings.HasSuffix(ts, "Z") {
			t.Errorf("ts %q is not ISO-8601 UTC with ms", ts)
		}
		if !strings.HasPrefix(lines[i], `{"ts":`) {
			t.Errorf("ts is not first: %s", lines[i])
		}
		delete(got, "ts")
		for k, v := range want {
			if got[k] != v {
				t.Errorf("line %d: %s = %v, want %v", i, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("line %d has extra keys: %v", i, got)
		}
	}
}
