// Package trace writes phase marks for benchmarks. With PYRO_TRACE=FILE in
// the environment (core passes its own on to the supervisor), each Mark
// appends one JSON line to FILE:
//
//	{"t_ms":1765080000123.456,"src":"supervisor","event":"listening",...}
//
// t_ms is Unix time in ms with µs precision, the same clock core's marks
// use (src/core/trace.ts), so one file orders both processes' phases.
// Without PYRO_TRACE, Mark does nothing.
package trace

import (
	"encoding/json"
	"os"
	"sync"
	"time"
)

var (
	path = os.Getenv("PYRO_TRACE")
	mu   sync.Mutex
)

// Mark appends event with fields (name, value pairs, as in log/slog) to the
// trace file. Failures are ignored: tracing must never change an outcome.
func Mark(event string, fields ...any) {
	if path == "" {
		return
	}
	line := map[string]any{
		"t_ms":  float64(time.Now().UnixMicro()) / 1000,
		"src":   "supervisor",
		"event": event,
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if k, ok := fields[i].(string); ok {
			line[k] = fields[i+1]
		}
	}
	b, err := json.Marshal(line)
	if err != nil {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.Write(append(b, '\n'))
}
