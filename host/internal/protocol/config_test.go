package protocol

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestParseConfigRefuses(t *testing.T) {
	golden, err := os.ReadFile(goldenDir + "/sv_config_oneshot.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, wantInErr string
	}{
		{"an unknown field (core and supervisor out of step)", `"qemuBinary"`, `"initPath": "/x", "qemuBinary"`, "unknown field"},
		{"a missing initramfs", `"initrdPath": "/s/images/initrd-0123456789ab-0123456789ab.cpio",`, ``, "vm.initrdPath is required"},
		{"a bad device discovery", `"cmdline"`, `"mmio"`, "vm.deviceDiscovery"},
		{"a bad accelerator", `"kvm"`, `"hvf"`, "vm.accel"},
		{"zero memory", `"memMib": 512`, `"memMib": 0`, "vm.memMib 0"},
		{"an unknown VMM", `"qemuBinary"`, `"vmm": "xen", "qemuBinary"`, "vmm \"xen\""},
		{"not JSON", `{`, `[`, "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := strings.Replace(string(golden), tt.from, tt.to, 1)
			_, err := ParseConfig([]byte(raw))
			if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Fatalf("err = %v, want ErrBadConfig mentioning %q", err, tt.wantInErr)
			}
		})
	}
}
