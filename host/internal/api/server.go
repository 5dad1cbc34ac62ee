// Package api is the supervisor's HTTP/1.1 API on its 0600 Unix socket,
// used by core through src/supervisor/client.ts:
//
//	GET    /v1/status           the current protocol.State
//	GET    /v1/ready            waits until boot settles: 200 State, or 503 {error, state}
//	POST   /v1/shutdown         {mode, timeout_ms}; answers once the VM has ended, with its final State
//	POST   /v1/save             {path}: saves the VM's state to path, then ends it; answers its final State;
//	                            with keep_running (and disk_copies) the VM runs on: answers its State
//	GET    /v1/ports            {published_ports}
//	POST   /v1/ports            {service, guest_port, host_port} publishes one; answers the PublishedPort
//	DELETE /v1/ports/<service>  closes that service's publications: {closed}
//	*      /v1/agent/<route>    proxied to the guest agent's /v1/<route>, bodies streamed both ways
//
// Errors are {"error":{"code","message"}}, mapped in errors.go alone.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// Upstream sends one request to the guest agent (agent.Session).
type Upstream interface {
	RoundTrip(*http.Request) (*http.Response, error)
}

// Backend is what the API needs from the supervisor.
type Backend interface {
	// Status returns the current state record.
	Status() protocol.State
	// Ready waits until boot has settled (or ctx ends) and reports whether
	// the VM is ready, with the state at that point.
	Ready(ctx context.Context) (protocol.State, bool)
	// Shutdown stops the VM as req asks and returns its final state once it
	// has ended. Idempotent: later calls wait for the first stop.
	Shutdown(ctx context.Context, req protocol.ShutdownRequest) protocol.State
	// SaveAndStop saves the ready VM's state to req.Path and ends it,
	// returning the final state. Errors wrap protocol.ErrVMNotRunning or
	// ErrInvalidArgument, or are a save_failed *protocol.CodedError.
	SaveAndStop(ctx context.Context, req protocol.SaveRequest) (protocol.State, error)
	// Checkpoint saves the ready VM's state to req.Path, copies its disk to
	// req.DiskCopies while its vCPUs are stopped, and runs it again
	// (req.KeepRunning). Errors as SaveAndStop's.
	Checkpoint(ctx context.Context, req protocol.SaveRequest) (protocol.State, error)
	// PublishedPorts lists the publications.
	PublishedPorts() []protocol.PublishedPort
	// Publish publishes a guest port. Errors wrap protocol.ErrVMNotRunning,
	// ErrPortInUse or ErrInvalidArgument.
	Publish(req protocol.PublishRequest) (protocol.PublishedPort, error)
	// Unpublish closes the publications of service.
	Unpublish(service string) []protocol.PublishedPort
	// BeginProxy admits one proxied request: the agent to send it to and the
	// func that ends it (exactly once). Errors wrap protocol.ErrVMNotRunning.
	BeginProxy() (Upstream, func(), error)
	// Unreachable explains a failed agent request (the VMM's crash, a
	// stop, or the channel error); the result wraps protocol.ErrGuestUnreachable.
	Unreachable(cause error) error
}

// Handler serves the API.
type Handler struct {
	b   Backend
	log *slog.Logger
}

// New returns the API handler for b; log records recovered panics.
func New(b Backend, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{b: b, log: log}
}

const agentPrefix = "/v1/agent/"

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p) // a deliberate abort of a streamed answer
			}
			h.log.Error("api_panic", "path", r.URL.Path, "panic", fmt.Sprint(p))
			writeError(w, fmt.Errorf("handler panic: %v", p))
		}
	}()
	path := r.URL.EscapedPath()
	switch {
	case path == "/v1/status" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, h.b.Status())
	case path == "/v1/ready" && r.Method == http.MethodGet:
		h.ready(w, r)
	case path == "/v1/shutdown" && r.Method == http.MethodPost:
		h.shutdown(w, r)
	case path == "/v1/save" && r.Method == http.MethodPost:
		h.save(w, r)
	case path == "/v1/ports" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, protocol.PortsResponse{PublishedPorts: h.b.PublishedPorts()})
	case path == "/v1/ports" && r.Method == http.MethodPost:
		h.publish(w, r)
	case strings.HasPrefix(path, "/v1/ports/") && r.Method == http.MethodDelete:
		service, err := url.PathUnescape(strings.TrimPrefix(path, "/v1/ports/"))
		if err != nil {
			writeError(w, protocol.Errorf(protocol.ErrInvalidArgument, "service name in %q: %w", path, err))
			return
		}
		writeJSON(w, http.StatusOK, protocol.ClosedResponse{Closed: nonNil(h.b.Unpublish(service))})
	case strings.HasPrefix(path, agentPrefix):
		h.proxy(w, r, strings.TrimPrefix(path, agentPrefix))
	default:
		writeError(w, protocol.Errorf(protocol.ErrNoRoute, "no route %s %s", r.Method, path))
	}
}

func (h *Handler) ready(w http.ResponseWriter, r *http.Request) {
	state, ok := h.b.Ready(r.Context())
	if ok {
		writeJSON(w, http.StatusOK, state)
		return
	}
	body := protocol.ErrorBody{Code: "vm_not_running", Message: fmt.Sprintf("VM is %s", state.State)}
	if state.Error != nil {
		body = *state.Error
	}
	writeJSON(w, http.StatusServiceUnavailable, protocol.ReadyFailure{Error: body, State: state})
}

func (h *Handler) shutdown(w http.ResponseWriter, r *http.Request) {
	var req protocol.ShutdownRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, h.b.Shutdown(r.Context(), req))
}

func (h *Handler) save(w http.ResponseWriter, r *http.Request) {
	var req protocol.SaveRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	save := h.b.SaveAndStop
	if req.KeepRunning {
		save = h.b.Checkpoint
	} else if len(req.DiskCopies) > 0 {
		writeError(w, protocol.Errorf(protocol.ErrInvalidArgument, "disk_copies needs keep_running"))
		return
	}
	state, err := save(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, state)
}

func (h *Handler) publish(w http.ResponseWriter, r *http.Request) {
	var req protocol.PublishRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, err)
		return
	}
	rec, err := h.b.Publish(req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

func nonNil(p []protocol.PublishedPort) []protocol.PublishedPort {
	if p == nil {
		return []protocol.PublishedPort{}
	}
	return p
}
