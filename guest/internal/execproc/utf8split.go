package execproc

import "unicode/utf8"

// SplitRunes splits b into a prefix that ends on a rune boundary and a tail
// holding an incomplete multi-byte rune (at most utf8.UTFMax-1 bytes), so a
// character split across two reads is sent whole in the next chunk.
// Invalid bytes are not held back: they cannot become valid later.
func SplitRunes(b []byte) (head, tail []byte) {
	for i := len(b) - 1; i >= 0 && i >= len(b)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i], b[i:]
			}
			break
		}
	}
	return b, nil
}
