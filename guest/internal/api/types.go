// Package api serves the guest agent protocol (docs/agent-protocol.md) as an
// http.Handler. The wire types below are the Go side of that contract; the
// golden files in testdata/golden pin their JSON shape for both languages.
package api

const (
	AgentVersion    = "0.1.0"
	ProtocolVersion = 1
	// ExecHeader carries the exec spec as one line of JSON, so the request
	// body is free to stream stdin.
	ExecHeader = "pyro-exec"
)

// Capabilities lists the features this agent implements.
var Capabilities = []string{"exec", "files", "poweroff", "sync"}

type InfoResponse struct {
	AgentVersion    string   `json:"agent_version"`
	ProtocolVersion int      `json:"protocol_version"`
	Capabilities    []string `json:"capabilities"`
	BootMs          int64    `json:"boot_ms"` // guest uptime when the agent started
	Kernel          string   `json:"kernel"`  // uname -r
}

type HealthResponse struct {
	OK       bool  `json:"ok"`
	UptimeMs int64 `json:"uptime_ms"`
}

type OKResponse struct {
	OK bool `json:"ok"`
}

type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

type ErrorBody struct {
	Code    string `json:"code"` // invalid_argument | path_outside_workspace | not_found | internal
	Message string `json:"message"`
}

// ExecRequest is the JSON in the pyro-exec header.
type ExecRequest struct {
	Argv      []string          `json:"argv"`
	Env       map[string]string `json:"env,omitempty"`
	Cwd       string            `json:"cwd,omitempty"`        // default "/"
	TimeoutMs int64             `json:"timeout_ms,omitempty"` // 0 = none
	Stdin     bool              `json:"stdin,omitempty"`
}

// Exec response events, one JSON object per line.

type StartedEvent struct {
	Type string `json:"type"` // "started"
	Pid  int    `json:"pid"`
}

type OutputEvent struct {
	Type    string `json:"type"`               // "stdout" | "stderr"
	Data    string `json:"data,omitempty"`     // valid UTF-8 text
	DataB64 string `json:"data_b64,omitempty"` // otherwise, base64
}

type ExitEvent struct {
	Type       string `json:"type"` // "exit"
	ExitCode   int    `json:"exit_code"`
	Signal     string `json:"signal"` // "KILL", or "" when it exited
	TimedOut   bool   `json:"timed_out"`
	DurationMs int64  `json:"duration_ms"`
}

// File route responses.

type FilesTarResult struct {
	Entries int64 `json:"entries"`
	Bytes   int64 `json:"bytes"` // regular-file bytes written
}

type FilesListResponse struct {
	Entries []FileEntry `json:"entries"`
}

type FileEntry struct {
	Path       string `json:"path"` // relative to the root
	Type       string `json:"type"` // file | dir | symlink | other
	Size       int64  `json:"size"`
	Mode       string `json:"mode"`  // octal, e.g. "0644"
	Mtime      string `json:"mtime"` // RFC 3339
	LinkTarget string `json:"link_target,omitempty"`
}

type FilesWriteResult struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
}

type FilesRemoveResult struct {
	Removed bool `json:"removed"`
}
