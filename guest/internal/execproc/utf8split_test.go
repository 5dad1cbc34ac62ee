package execproc

import "testing"

func TestSplitRunes(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		head, tail string
	}{
		{"empty", "", "", ""},
		{"ascii", "abc", "abc", ""},
		{"whole 2-byte rune", "aé", "aé", ""},
		{"first byte of 2", "a\xc3", "a", "\xc3"},
		{"2 of 3 bytes", "a\xe2\x82", "a", "\xe2\x82"},
		{"whole 3-byte rune", "€", "€", ""},
		{"3 of 4 bytes", "x\xf0\x9f\x98", "x", "\xf0\x9f\x98"},
		{"whole 4-byte rune", "😀", "😀", ""},
		{"lone start byte only", "\xf0", "", "\xf0"},
		{"invalid byte is not held", "a\xff", "a\xff", ""},
		{"stray continuation is not held", "a\x82", "a\x82", ""},
		{"continuations after ascii", "ab\x82\x82\x82", "ab\x82\x82\x82", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, tail := SplitRunes([]byte(tt.in))
			if string(head) != tt.head || string(tail) != tt.tail {
				t.Errorf("SplitRunes(%q) = %q, %q; want %q, %q", tt.in, head, tail, tt.head, tt.tail)
			}
		})
	}
}
