package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitStateRefusesAStreamItDoesNotKnowAndLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "state")
	if err := os.WriteFile(in, []byte("not a VM state at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	memory, state := filepath.Join(dir, "m"), filepath.Join(dir, "s")
	var stdout, stderr bytes.Buffer
	code := splitState([]string{"-json", "-memory", memory, "-state", state, in}, &stdout, &stderr)
	var answer struct{ Error struct{ Code, Message string } }
	if err := json.Unmarshal(stdout.Bytes(), &answer); code != 1 || err != nil {
		t.Fatalf("exit %d, %v: %s %s", code, err, stdout.String(), stderr.String())
	}
	if answer.Error.Code != "unsupported" || !strings.Contains(answer.Error.Message, "not a QEMU VM state") {
		t.Fatalf("error %+v", answer.Error)
	}
	for _, p := range []string{memory, state} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s left behind: %v", p, err)
		}
	}
}

func TestSplitStateNeverOverwritesAFile(t *testing.T) {
	dir := t.TempDir()
	memory := filepath.Join(dir, "m")
	if err := os.WriteFile(memory, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	in, state := filepath.Join(dir, "in"), filepath.Join(dir, "s")
	if err := os.WriteFile(in, []byte("QEVM"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := splitState([]string{"-memory", memory, "-state", state, in}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "exists") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if b, _ := os.ReadFile(memory); string(b) != "keep" {
		t.Fatalf("memory overwritten: %q", b)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Fatalf("the state file was left: %v", err)
	}
}

func TestSplitStateUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := splitState([]string{"-memory", "m"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d", code)
	}
}
