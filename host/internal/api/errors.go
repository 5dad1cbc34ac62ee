package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// errorStatus is the one place that maps errors to an HTTP status and a
// protocol code. Sentinels come first; a *protocol.CodedError that wraps
// none keeps its own code with 500; anything else is "internal".
func errorStatus(err error) (status int, code string) {
	var ce *protocol.CodedError
	switch {
	case errors.Is(err, protocol.ErrVMNotRunning):
		return http.StatusConflict, "vm_not_running"
	case errors.Is(err, protocol.ErrGuestUnreachable):
		return http.StatusBadGateway, "guest_unreachable"
	case errors.Is(err, protocol.ErrPortInUse):
		return http.StatusConflict, "port_in_use"
	case errors.Is(err, protocol.ErrInvalidArgument):
		return http.StatusBadRequest, "invalid_argument"
	case errors.Is(err, protocol.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.As(err, &ce):
		return http.StatusInternalServerError, ce.Code
	default:
		return http.StatusInternalServerError, protocol.CodeInternal
	}
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
