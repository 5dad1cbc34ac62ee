package files

import (
	"errors"
	"testing"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  error
	}{
		{"", ".", nil},
		{".", ".", nil},
		{"./", ".", nil},
		{"a/b/", "a/b", nil},
		{"./a//b/./c", "a/b/c", nil},
		{"a..b/..c", "a..b/..c", nil}, // dots inside a name are fine
		{"..", "", ErrOutside},
		{"../evil", "", ErrOutside},
		{"a/../../evil", "", ErrOutside},
		{"a/..", "", ErrOutside}, // refused even though it stays inside
		{"/abs/evil", "", ErrOutside},
		{"/", "", ErrOutside},
		{"a\x00b", "", ErrInvalid},
	}
	for _, tt := range tests {
		got, err := CleanPath(tt.in)
		if got != tt.want || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("CleanPath(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCheckSymlink(t *testing.T) {
	tests := []struct {
		name, target string
		wantErr      error
	}{
		{"link", "a.txt", nil},
		{"sub/link", "../a.txt", nil},
		{"a/b/link", "../../c", nil},
		{"sub/up", "..", nil}, // the destination itself
		{"link", "/etc", ErrOutside},
		{"up", "../..", ErrOutside},
		{"up", "..", ErrOutside},
		{"sub/up", "../..", ErrOutside},
		{"sub/x", "a/../../../y", ErrOutside},
		{"link", "", ErrInvalid},
	}
	for _, tt := range tests {
		err := checkSymlink(tt.name, tt.target)
		if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("checkSymlink(%q, %q) = %v, want %v", tt.name, tt.target, err, tt.wantErr)
		}
	}
}

func TestModes(t *testing.T) {
	if got := fileMode(0o6755); got != 0o755 {
		t.Errorf("fileMode(06755) = %o, want setuid/setgid stripped", got)
	}
	if got := fileMode(0o1644); got != 0o1644 {
		t.Errorf("fileMode(01644) = %o", got)
	}
	if got := dirMode(0o2775); got != 0o2775 {
		t.Errorf("dirMode(02775) = %o, want kept", got)
	}
}
