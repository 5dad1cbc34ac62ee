package sysinit

import "testing"

func TestIsMountpoint(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/proc", true},
		{"/proc/self", false},
		{t.TempDir(), false},
		{"/nonexistent/pyro", false},
	}
	for _, tt := range tests {
		if got := isMountpoint(tt.path); got != tt.want {
			t.Errorf("isMountpoint(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
