// Package consolelog keeps the guest's serial console log bounded and reads
// its last lines for error messages. QEMU appends to the file (append=on),
// so truncating it in place is safe: the next write lands at the new end.
package consolelog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// CapBytes is the size past which the console log is cut back to empty, in
// bytes (8 MiB): a guest can write to its serial port without limit.
const CapBytes = 8 * 1024 * 1024

// tailReadBytes is how much of the end of the log Tail reads, in bytes.
const tailReadBytes = 8192

// Cap truncates the log at path to empty when it is larger than maxBytes and
// writes a marker line saying when. It reports whether it truncated; a
// missing log (the VM has not written yet) is not an error.
func Cap(path string, maxBytes int64, now time.Time) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("console log %s: %w", path, err)
	}
	if fi.Size() <= maxBytes {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return false, fmt.Errorf("console log %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Truncate(0); err != nil {
		return false, fmt.Errorf("truncate console log %s: %w", path, err)
	}
	_, err = fmt.Fprintf(f, "[pyro: console log truncated at %s]\n", now.UTC().Format("2006-01-02T15:04:05.000Z"))
	return true, err
}

// Size returns the log's size in bytes (0 when it does not exist yet), to
// pass to Tail as the start of this boot's output.
func Size(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Tail returns the last n non-empty lines written at or after byte offset
// from (the log outlives a boot; earlier boots' lines are not quoted) joined
// with " | ", at most maxChars characters from the end; "" when unreadable.
// A log cut back by Cap since is read from its start.
func Tail(path string, from int64, n, maxChars int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	start := from
	if fi, err := f.Stat(); err == nil {
		if fi.Size() < from {
			start = 0
		}
		start = max(start, fi.Size()-tailReadBytes)
	}
	_, _ = f.Seek(start, io.SeekStart)
	raw, _ := io.ReadAll(io.LimitReader(f, tailReadBytes))
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(string(raw), "\r", ""), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimRight(l, " \t"))
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, " | ")
	if r := []rune(out); len(r) > maxChars {
		out = string(r[len(r)-maxChars:])
	}
	return out
}
