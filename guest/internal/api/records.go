package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/services"
	"github.com/pyro-mcp/pyro/guest/internal/shells"
)

// maxJSONBody bounds a JSON request body; the largest (a service spec with
// its environment) is far below it.
const maxJSONBody = 1 << 20

// decodeJSON reads a JSON request body into v. An empty body leaves v as
// is (every field optional); unknown fields are refused, as for exec, so a
// newer host never has an option silently ignored.
func decodeJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return invalidf("reading body: %v", err)
	}
	if len(b) > maxJSONBody {
		return invalidf("body exceeds %d bytes", maxJSONBody)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalidf("body: %v", err)
	}
	if dec.More() {
		return invalidf("body: data after the JSON value")
	}
	return nil
}

// timeFormat is RFC 3339 with milliseconds, always UTC.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func timeString(t time.Time) string { return t.UTC().Format(timeFormat) }

func timePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := timeString(*t)
	return &s
}

func shellState(running bool) string {
	if running {
		return "running"
	}
	return "exited"
}

func shellRecord(in shells.Info) ShellRecord {
	return ShellRecord{
		ShellID: in.ID, Pid: in.Pid, Cwd: in.Cwd, Cols: in.Cols, Rows: in.Rows,
		State: shellState(in.Running), StartedAt: timeString(in.Started),
		EndedAt: timePtr(in.Ended), ExitCode: in.ExitCode,
	}
}

func serviceRecord(in services.Info) ServiceRecord {
	rec := ServiceRecord{
		ServiceName: in.Name, Command: in.Command, Cwd: in.Cwd, State: in.State, Pid: in.Pid,
		StartedAt: timeString(in.Started), ReadyAt: timePtr(in.ReadyAt), EndedAt: timePtr(in.Ended),
		ExitCode: in.ExitCode,
		Readiness: ServiceReadiness{
			Type: in.Readiness.Type, Target: in.Readiness.Target,
			TimeoutMs:  in.Readiness.Timeout.Milliseconds(),
			IntervalMs: in.Readiness.Interval.Milliseconds(),
		},
	}
	if in.StopReason != "" {
		reason := in.StopReason
		rec.StopReason = &reason
	}
	return rec
}
