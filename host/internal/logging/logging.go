// Package logging writes the supervisor's log, logs/sv.log: one JSON object
// per line with "ts" (ISO-8601 UTC, ms), "level" ("info" or "error"),
// "event", "vm_id", then the event's own fields.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// New returns a logger writing JSON lines to w, tagged with vmID.
func New(w io.Writer, vmID string) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: rename})
	return slog.New(h).With("vm_id", vmID)
}

// Open appends to the log file at path (created 0600) and returns a logger
// for vmID. Errors name the path.
func Open(path, vmID string) (*slog.Logger, *os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log %s: %w", path, err)
	}
	return New(f, vmID), f, nil
}

// rename maps slog's built-in keys to pyro's: time -> ts, msg -> event,
// levels in lower case.
func rename(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		return slog.String("ts", protocol.Timestamp(a.Value.Time()))
	case slog.LevelKey:
		return slog.String("level", strings.ToLower(a.Value.String()))
	case slog.MessageKey:
		return slog.String("event", a.Value.String())
	}
	return a
}
