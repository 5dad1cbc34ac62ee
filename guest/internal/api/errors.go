package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"syscall"

	"github.com/pyro-mcp/pyro/guest/internal/files"
	"github.com/pyro-mcp/pyro/guest/internal/ports"
	"github.com/pyro-mcp/pyro/guest/internal/redact"
	"github.com/pyro-mcp/pyro/guest/internal/secrets"
	"github.com/pyro-mcp/pyro/guest/internal/services"
	"github.com/pyro-mcp/pyro/guest/internal/shells"
)

// Sentinels a handler wraps (with %w) to choose the response code; any
// other error is reported as internal.
var (
	ErrInvalidArgument = errors.New("invalid argument")
	ErrNotFound        = errors.New("not found")
)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// errorCode is the one place that maps errors to protocol codes.
func errorCode(err error) (status int, code string) {
	switch {
	case errors.Is(err, files.ErrOutside): // first: the most specific verdict
		return http.StatusBadRequest, "path_outside_workspace"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return http.StatusInsufficientStorage, "disk_full"
	case errors.Is(err, shells.ErrNotRunning):
		return http.StatusConflict, "shell_not_running"
	case errors.Is(err, services.ErrExists):
		return http.StatusConflict, "service_exists"
	case errors.Is(err, secrets.ErrNotFound):
		return http.StatusBadRequest, "secret_not_found"
	case errors.Is(err, ports.ErrRefused):
		return http.StatusBadGateway, "connection_refused"
	case errors.Is(err, ErrInvalidArgument), errors.Is(err, files.ErrInvalid),
		errors.Is(err, shells.ErrInvalid), errors.Is(err, services.ErrInvalid),
		errors.Is(err, secrets.ErrInvalid), errors.Is(err, ports.ErrInvalid):
		return http.StatusBadRequest, "invalid_argument"
	case errors.Is(err, ErrNotFound), errors.Is(err, files.ErrNotFound),
		errors.Is(err, shells.ErrNotFound), errors.Is(err, services.ErrNotFound):
		return http.StatusNotFound, "not_found"
	default:
		return http.StatusInternalServerError, "internal"
	}
}

// writeError answers with err's code; secret values in the message (a
// cwd or argv[0] quoted back, a panic) are redacted.
func (s *Server) writeError(w http.ResponseWriter, err error) {
	status, code := errorCode(err)
	msg := redact.String(s.secretValues(), err.Error())
	writeJSON(w, status, ErrorResponse{Error: ErrorBody{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only our own types get here; fail loudly in tests
		panic(fmt.Sprintf("api: marshal %T: %v", v, err))
	}
	w.Header().Set("content-type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
