// Package redact replaces secret values by [REDACTED] in output the agent
// hands back. Output arrives in chunks, so a value may be split across
// them: a Stream holds back the bytes that could still become a value and
// releases them once they cannot.
package redact

import "bytes"

// Marker replaces every secret value (10 bytes).
var Marker = []byte("[REDACTED]")

// Source returns the current secret values. It is called at every write,
// so values set after a stream began are redacted from then on; nil
// means nothing to redact. The slices must not be modified.
type Source func() [][]byte

// Bytes returns p with every value replaced, for output that is complete
// (an error message, a spawn failure line).
func Bytes(values [][]byte, p []byte) []byte {
	out, _ := scan(nil, values, p, true)
	return out
}

// String is Bytes for strings.
func String(values [][]byte, s string) string {
	if len(values) == 0 {
		return s
	}
	return string(Bytes(values, []byte(s)))
}

// scan appends buf to out with matches replaced. Unless final, it stops at
// the first position whose remaining bytes are a proper prefix of some
// value, and returns that position as held: the next chunk decides. At a
// position where values match in full, the longest wins; a longer value
// that could still match holds the position even if a shorter one matches
// already, so the result never depends on how the stream was cut.
func scan(out []byte, values [][]byte, buf []byte, final bool) ([]byte, int) {
	var first [256]bool
	for _, v := range values {
		if len(v) > 0 {
			first[v[0]] = true
		}
	}
	start := 0 // bytes before start are decided but not yet copied
	for i := 0; i < len(buf); {
		if !first[buf[i]] {
			i++
			continue
		}
		rest := buf[i:]
		match := 0
		pending := false
		for _, v := range values {
			switch {
			case len(v) == 0:
			case len(v) <= len(rest):
				if len(v) > match && bytes.HasPrefix(rest, v) {
					match = len(v)
				}
			case !final && bytes.HasPrefix(v, rest):
				pending = true
			}
		}
		if pending {
			return append(out, buf[start:i]...), i
		}
		if match == 0 {
			i++
			continue
		}
		out = append(append(out, buf[start:i]...), Marker...)
		i += match
		start = i
	}
	return append(out, buf[start:]...), len(buf)
}
