package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// sentinelCodes is the one table that maps errors to an HTTP status and a
// protocol code: the first row whose sentinel matches (errors.Is) decides.
// The host maps every code listed here and in protocol.CodedErrorCodes
// (src/errors.ts WIRE_CODES); TestErrorCodesGolden keeps
// protocol/supervisor/error_codes.json, which the host's tests read, equal
// to them.
var sentinelCodes = []struct {
	status int
	code   string
	err    error
}{
	{http.StatusConflict, "vm_not_running", protocol.ErrVMNotRunning},
	{http.StatusBadGateway, "guest_unreachable", protocol.ErrGuestUnreachable},
	{http.StatusConflict, "port_in_use", protocol.ErrPortInUse},
	{http.StatusBadRequest, "invalid_argument", protocol.ErrInvalidArgument},
	{http.StatusNotFound, "no_route", protocol.ErrNoRoute},
}

// errorStatus is err's HTTP status and protocol code: a sentinel's row of
// sentinelCodes first; a *protocol.CodedError that wraps none keeps its own
// code with 500; anything else is "internal".
func errorStatus(err error) (status int, code string) {
	for _, row := range sentinelCodes {
		if errors.Is(err, row.err) {
			return row.status, row.code
		}
	}
	var ce *protocol.CodedError
	if errors.As(err, &ce) {
		return http.StatusInternalServerError, ce.Code
	}
	return http.StatusInternalServerError, protocol.CodeInternal
}

// errorBody is the {code, message} answer for err.
func errorBody(err error) (int, protocol.ErrorResponse) {
	status, code := errorStatus(err)
	return status, protocol.ErrorResponse{Error: protocol.ErrorBody{Code: code, Message: err.Error()}}
}

func writeError(w http.ResponseWriter, err error) {
	status, body := errorBody(err)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only our own types get here
		panic(fmt.Sprintf("api: marshal %T: %v", v, err))
	}
	w.Header().Set("content-type", "application/json")
	w.Header().Set("content-length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// maxRequestBytes caps the JSON bodies of the supervisor's own routes.
const maxRequestBytes = 1 << 20

// readJSON decodes a request body into v; an empty body leaves v as it is.
// Errors wrap protocol.ErrInvalidArgument.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxRequestBytes))
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return protocol.Errorf(protocol.ErrInvalidArgument, "%s %s: body is not valid JSON: %w", r.Method, r.URL.Path, err)
	}
	return nil
}
