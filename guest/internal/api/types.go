// Package api serves the guest agent protocol (docs/agent-protocol.md) as an
// http.Handler. The wire types below are the Go side of that contract; the
// golden files in protocol/guest (at the repository root) pin their JSON
// shape for both languages.
package api

const (
	AgentVersion    = "0.1.0"
	ProtocolVersion = 1
	// ExecHeader carries the exec spec as one line of JSON, so the request
	// body is free to stream stdin.
	ExecHeader = "pyro-exec"
)

// Capabilities lists the features this agent implements.
var Capabilities = []string{"exec", "files", "limits", "network", "ports", "poweroff", "secrets", "services", "shells", "sync"}

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
	Code    string `json:"code"` // a code of errorCodes (errors.go), or internal
	Message string `json:"message"`
}

// ExecRequest is the JSON in the pyro-exec header.
type ExecRequest struct {
	Argv      []string          `json:"argv"`
	Env       map[string]string `json:"env,omitempty"`
	Cwd       string            `json:"cwd,omitempty"`        // default "/"
	TimeoutMs int64             `json:"timeout_ms,omitempty"` // 0 = none
	Stdin     bool              `json:"stdin,omitempty"`
	SecretEnv map[string]string `json:"secret_env,omitempty"` // ENV_VAR -> secret name
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

// Shell routes. Times are RFC 3339 (UTC, milliseconds); nullable fields
// are pointers so they render as null.

type ShellOpenRequest struct {
	Cwd  string            `json:"cwd,omitempty"` // default /workspace if it exists, else /
	Cols int               `json:"cols,omitempty"`
	Rows int               `json:"rows,omitempty"`
	Env  map[string]string `json:"env,omitempty"`
	// SecretEnv maps ENV_VAR to a secret name.
	SecretEnv map[string]string `json:"secret_env,omitempty"`
}

type ShellRecord struct {
	ShellID   string  `json:"shell_id"`
	Pid       int     `json:"pid"`
	Cwd       string  `json:"cwd"`
	Cols      int     `json:"cols"`
	Rows      int     `json:"rows"`
	State     string  `json:"state"` // running | exited
	StartedAt string  `json:"started_at"`
	EndedAt   *string `json:"ended_at"`
	ExitCode  *int    `json:"exit_code"`
}

type ShellList struct {
	Shells []ShellRecord `json:"shells"`
}

type ShellOutput struct {
	Cursor     int64  `json:"cursor"`
	NextCursor int64  `json:"next_cursor"`
	Output     string `json:"output"`
	Truncated  bool   `json:"truncated"` // more data exists past next_cursor
	Dropped    int64  `json:"dropped"`   // bytes before cursor no longer kept
	State      string `json:"state"`
	ExitCode   *int   `json:"exit_code"`
}

type ShellInputResult struct {
	Bytes int64 `json:"bytes"`
}

type ShellSignalRequest struct {
	Signal string `json:"signal"` // HUP | INT | QUIT | TERM | KILL
}

type ShellSignalResult struct {
	Signal string `json:"signal"`
	Pgid   int    `json:"pgid"`
}

type ShellResizeRequest struct {
	Cols int `json:"cols"`
	Rows int `json:"rows"`
}

// Service routes.

type ServiceStartRequest struct {
	Name      string            `json:"name"`
	Argv      []string          `json:"argv"`
	Cwd       string            `json:"cwd,omitempty"`
	Env       map[string]string `json:"env,omitempty"`
	SecretEnv map[string]string `json:"secret_env,omitempty"` // ENV_VAR -> secret name
	Readiness *ServiceReadiness `json:"readiness,omitempty"`  // default none
}

type ServiceReadiness struct {
	Type       string `json:"type"` // none | file | tcp | http | command
	Target     string `json:"target"`
	TimeoutMs  int64  `json:"timeout_ms"`  // 0 = 30000
	IntervalMs int64  `json:"interval_ms"` // 0 = 500
}

type ServiceRecord struct {
	ServiceName string           `json:"service_name"`
	Command     []string         `json:"command"`
	Cwd         string           `json:"cwd"`
	State       string           `json:"state"` // starting | ready | failed | stopped | exited
	Pid         int              `json:"pid"`
	StartedAt   string           `json:"started_at"`
	ReadyAt     *string          `json:"ready_at"`
	EndedAt     *string          `json:"ended_at"`
	ExitCode    *int             `json:"exit_code"`
	Readiness   ServiceReadiness `json:"readiness"`
	StopReason  *string          `json:"stop_reason"` // readiness_timeout | exited_before_ready | exited | stopped
}

type ServiceList struct {
	Services []ServiceRecord `json:"services"`
}

type ServiceLogs struct {
	ServiceName string `json:"service_name"`
	Stdout      string `json:"stdout"`
	Stderr      string `json:"stderr"`
	Truncated   bool   `json:"truncated"`
}

type ServiceStopRequest struct {
	GraceMs *int64 `json:"grace_ms,omitempty"` // default 5000
}

// Secrets.

type SecretsRequest struct {
	Secrets []SecretEntry `json:"secrets"` // the whole new set; [] clears it
}

type SecretEntry struct {
	Name     string `json:"name"`
	ValueB64 string `json:"value_b64"` // standard base64 of the value bytes
}

type SecretsResult struct {
	Names []string `json:"names"` // sorted
}

// Limits (cgroup v2, see docs/agent-protocol.md "Limits").

type LimitsRequest struct {
	MaxPids *int `json:"max_pids"` // pids.max of each exec, shell and service; 0 = the default
}

type LimitsRecord struct {
	Enabled                bool  `json:"enabled"`                   // false: no cgroup v2 in this guest, nothing is limited
	MaxPids                int   `json:"max_pids"`                  // pids.max of each exec, shell and service cgroup
	UserPidsMax            int   `json:"user_pids_max"`             // pids.max of all user work together
	UserMemoryMaxBytes     int64 `json:"user_memory_max_bytes"`     // memory.max of all user work, and of each leaf
	AgentMemoryMinBytes    int64 `json:"agent_memory_min_bytes"`    // memory.min protecting the agent
	UserProcessCount       int   `json:"user_process_count"`        // processes of user work running now
	UserPidsCurrent        int64 `json:"user_pids_current"`         // tasks (threads included) counted against pids.max; -1 unknown
	UserMemoryCurrentBytes int64 `json:"user_memory_current_bytes"` // memory charged to user work; -1 unknown
}
