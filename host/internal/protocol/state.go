package protocol

import "time"

// Phase is the supervisor's view of its VM.
type Phase string

// Phases, in the order a VM goes through them. A VM ends in Exited (stopped
// on request), Expired (idle TTL) or Failed (boot failure, or the VMM died
// without a stop request).
const (
	PhaseBooting  Phase = "booting"
	PhaseReady    Phase = "ready"
	PhaseFailed   Phase = "failed"
	PhaseStopping Phase = "stopping"
	PhaseExited   Phase = "exited"
	PhaseExpired  Phase = "expired"
)

// State is run/sv.json and the answer of GET /v1/status (SupervisorState in
// protocol.ts). Times are ISO-8601 UTC with milliseconds; durations in ms.
// Nullable fields are pointers so they encode as null, never omitted.
type State struct {
	VMID           string          `json:"vm_id"`
	State          Phase           `json:"state"`
	SupervisorPID  int             `json:"supervisor_pid"`
	VMMPID         *int            `json:"vmm_pid"`
	Acceleration   string          `json:"acceleration"`
	ExecutionMode  string          `json:"execution_mode"`
	StartedAt      string          `json:"started_at"`
	ReadyAt        *string         `json:"ready_at"`
	BootMs         *int64          `json:"boot_ms"` // VMM start to agent answering
	LastActivityAt string          `json:"last_activity_at"`
	ExpiresAt      *string         `json:"expires_at"`
	InFlight       int             `json:"in_flight"` // proxied requests running now
	PublishedPorts []PublishedPort `json:"published_ports"`
	AgentVersion   *string         `json:"agent_version"`
	Exit           *Exit           `json:"exit"`
	Error          *ErrorBody      `json:"error"`
}

// Exit is how the VMM process ended: its exit code, or the signal that
// killed it by name (e.g. "SIGKILL").
type Exit struct {
	Code   *int    `json:"code"`
	Signal *string `json:"signal"`
	At     string  `json:"at"`
}

// PublishedPort is one host listener: 127.0.0.1:HostPort forwards to
// GuestPort in the guest, for as long as Service runs.
type PublishedPort struct {
	Service   string `json:"service"`
	Host      string `json:"host"` // always "127.0.0.1"
	HostPort  int    `json:"host_port"`
	GuestPort int    `json:"guest_port"`
}

// PortsResponse is the answer of GET /v1/ports.
type PortsResponse struct {
	PublishedPorts []PublishedPort `json:"published_ports"`
}

// ClosedResponse is the answer of DELETE /v1/ports/<service>.
type ClosedResponse struct {
	Closed []PublishedPort `json:"closed"`
}

// PublishRequest is the body of POST /v1/ports; HostPort 0 picks a free port.
type PublishRequest struct {
	Service   string `json:"service"`
	GuestPort int    `json:"guest_port"`
	HostPort  int    `json:"host_port"`
}

// ShutdownRequest is the body of POST /v1/shutdown. Mode "poweroff" asks the
// guest to flush and power off first, waiting up to TimeoutMs (default
// 10000 ms) before the VMM is stopped; anything else kills it at once.
type ShutdownRequest struct {
	Mode      string `json:"mode"`
	TimeoutMs *int64 `json:"timeout_ms,omitempty"`
}

// SaveRequest is the body of POST /v1/save: the file the VM's device state
// (and RAM, unless it lives in its memory file) is written to. The VM ends
// once it is saved, unless KeepRunning.
type SaveRequest struct {
	Path string `json:"path"`
	// KeepRunning continues the VM after the save (a workspace fork): its
	// vCPUs stay stopped from the save's start until DiskCopies are made,
	// then run again; its processes carry on.
	KeepRunning bool `json:"keep_running,omitempty"`
	// DiskCopies are new files that get a copy of the VM's root disk, made
	// while its vCPUs are stopped, so each matches the saved state (reflink
	// where the file system can, sparse otherwise). Only with KeepRunning,
	// for a persistent disk; each path must not exist yet.
	DiskCopies []string `json:"disk_copies,omitempty"`
}

// ReadyFailure is the 503 answer of GET /v1/ready when boot did not succeed.
type ReadyFailure struct {
	Error ErrorBody `json:"error"`
	State State     `json:"state"`
}

// Timestamp formats t as core's Date.toISOString does: UTC, milliseconds, "Z".
func Timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
