package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// launchConfig is the golden launch config with its QEMU replaced by a stub
// (argv only resolves the binary, it never runs it) and the VMM set to vmm.
func launchConfig(t *testing.T, vmm string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../../protocol/supervisor/sv_config.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "qemu-system-x86_64")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg["qemuBinary"], cfg["vmm"] = bin, vmm
	out, _ := json.Marshal(cfg)
	return out
}

func runArgv(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := argv(args, bytes.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestArgvJSON(t *testing.T) {
	code, out, _ := runArgv(t, launchConfig(t, "qemu"), "-json", "-")
	var c protocol.VMMCommand
	if err := json.Unmarshal([]byte(out), &c); code != 0 || err != nil {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	joined := strings.Join(c.Args, " ")
	for _, want := range []string{"-M microvm ", "-accel tcg,tb-size=32", "-append " + c.KernelCmdline, "virtio-net-device,netdev=net0,mac=52:54:00:12:34:56"} {
		if !strings.Contains(joined, want) {
			t.Errorf("argv lacks %q: %s", want, joined)
		}
	}
	if !strings.Contains(c.KernelCmdline, "pyro.net=172.29.0.2/30,172.29.0.1 pyro.modules=net") {
		t.Errorf("kernel command line %q lacks the NIC parameters", c.KernelCmdline)
	}
	if c.Env["TMPDIR"] != "/home/u/.local/state/pyro/workspaces/ws_0123456789ab/run/tmp" {
		t.Errorf("env %v", c.Env)
	}
}

func TestArgvTextRunsInAShell(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "sv-config.json")
	if err := os.WriteFile(cfgPath, launchConfig(t, "auto"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runArgv(t, nil, cfgPath)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "cd /home/u/.local/state/pyro/workspaces/ws_0123456789ab && TMPDIR=") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(lines[0], "-append 'console=ttyS0 quiet root=/dev/vda") || !strings.HasPrefix(lines[1], "# kernel command line: console=ttyS0") {
		t.Errorf("the kernel command line is not one quoted word:\n%s", out)
	}
	// The shell reads a quoted word back as it was.
	if got, err := exec.Command("sh", "-c", "printf '%s' "+shellQuote("a b 'c'")).Output(); err != nil || string(got) != "a b 'c'" {
		t.Errorf("shellQuote round trip: %q, %v", got, err)
	}
}

func TestArgvErrors(t *testing.T) {
	tests := []struct {
		name, code string
		stdin      []byte
		exit       int
	}{
		{"a refused config", "invalid_argument", []byte(`{"vm":{}}`), 1},
		{"firecracker", "vmm_unavailable", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin := tt.stdin
			if stdin == nil {
				stdin = launchConfig(t, "firecracker")
			}
			exit, out, _ := runArgv(t, stdin, "-json", "-")
			var e protocol.ErrorResponse
			if err := json.Unmarshal([]byte(out), &e); err != nil || exit != tt.exit || e.Error.Code != tt.code {
				t.Errorf("exit %d, %s; want %d with code %s", exit, out, tt.exit, tt.code)
			}
		})
	}
	if exit, _, _ := runArgv(t, nil); exit != 2 {
		t.Errorf("no config: exit %d, want 2", exit)
	}
}

func TestProbeReport(t *testing.T) {
	var stdout, stderr bytes.Buffer
	bin := filepath.Join(t.TempDir(), "no-qemu-here")
	code := probe([]string{"-json", "-vmm", "qemu", "-qemu", bin}, &stdout, &stderr)
	var r protocol.ProbeReport
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if code != 1 || r.Selected != "qemu" || len(r.Drivers) != 2 || r.Drivers[0].Available || r.Drivers[1].Driver != "firecracker" {
		t.Errorf("exit %d, report %+v: want exit 1 (qemu missing) and both drivers", code, r)
	}
	stdout.Reset()
	if code := probe([]string{"-qemu", bin}, &stdout, &stderr); !strings.Contains(stdout.String(), "qemu: unavailable: ") || code != 1 {
		t.Errorf("text report, exit %d:\n%s", code, stdout.String())
	}
	if code := probe([]string{"-json", "-vmm", "xen"}, &stdout, &stderr); code != 2 {
		t.Errorf("unknown driver: exit %d, want 2", code)
	}
}
