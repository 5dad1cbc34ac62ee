package qemu

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct{ out, want string }{
		{"QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022", "7.2.22"},
		{"QEMU emulator version 9.0.0\n", "9.0.0"},
		{"something else", ""},
	}
	for _, tt := range tests {
		if got := ParseVersion(tt.out); got != tt.want {
			t.Errorf("ParseVersion(%q) = %q, want %q", tt.out, got, tt.want)
		}
	}
}

func TestClassifyProbeOutput(t *testing.T) {
	tests := []struct {
		name, console, stderr string
		want                  *Verdict
	}{
		{"root-mount panic means KVM works", "[0.5] VFS: Unable to mount root fs on unknown-block(0,0)", "", &Verdict{OK: true, Why: "guest kernel booted under KVM"}},
		{"any kernel panic counts", "Kernel panic - not syncing: No working init found", "", &Verdict{OK: true, Why: "guest kernel booted under KVM"}},
		{"PVM emulation failure", "", "KVM internal error. Suberror: 1\nemulation failure", &Verdict{Why: "emulation failure"}},
		{"MSR failure", "", "qemu: kvm: failed to set MSR 0x10a", &Verdict{Why: "MSR setup failed"}},
		{"no KVM", "", "Could not access KVM kernel module: No such file or directory", &Verdict{Why: "KVM could not be initialised"}},
		{"nothing yet", "Linux version 6.1", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ClassifyProbeOutput(tt.console, tt.stderr)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
