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
	// ErrNoRoute: no handler for the method and path. It is not a missing
	// file, shell or service: the host speaks another version of the protocol.
	ErrNoRoute = errors.New("no route")
)

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// errorCodes is the one table that maps errors to protocol codes: the first
// row one of whose errors matches (errors.Is) decides. The host maps every
// code listed here (src/errors.ts WIRE_CODES); TestErrorCodesGolden
// keeps protocol/guest/error_codes.json, which the host's tests read, equal
// to it.
var errorCodes = []struct {
	status int
	code   string
	errs   []error
}{
	{http.StatusBadRequest, "path_outside_workspace", []error{files.ErrOutside}}, // first: the most specific verdict
	{http.StatusInsufficientStorage, "disk_full", []error{syscall.ENOSPC, syscall.EDQUOT}},
	{http.StatusConflict, "shell_not_running", []error{shells.ErrNotRunning}},
	{http.StatusConflict, "service_exists", []error{services.ErrExists}},
	{http.StatusBadRequest, "secret_not_found", []error{secrets.ErrNotFound}},
	{http.StatusBadGateway, "connection_refused", []error{ports.ErrRefused}},
	{http.StatusBadRequest, "invalid_argument", []error{ErrInvalidArgument, files.ErrInvalid,
		shells.ErrInvalid, services.ErrInvalid, secrets.ErrInvalid, ports.ErrInvalid}},
	{http.StatusNotFound, "no_route", []error{ErrNoRoute}},
	{http.StatusNotFound, "not_found", []error{files.ErrNotFound, shells.ErrNotFound, services.ErrNotFound}},
}

// codeInternal answers any error no row of errorCodes matches.
const codeInternal = "internal"

// errorCode is err's status and protocol code, from errorCodes.
func errorCode(err error) (status int, code string) {
	for _, row := range errorCodes {
		for _, target := range row.errs {
			if errors.Is(err, target) {
				return row.status, row.code
			}
		}
	}
	return http.StatusInternalServerError, codeInternal
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
