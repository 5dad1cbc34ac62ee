package protocol

import (
	"errors"
	"fmt"
)

// Sentinels the supervisor's packages wrap (with %w) so that
// internal/api/errors.go, the one place that turns errors into HTTP answers,
// can choose the status and code. Anything else is "internal".
var (
	// ErrVMNotRunning: the VM is not ready (booting, stopping or ended).
	ErrVMNotRunning = errors.New("vm not running")
	// ErrGuestUnreachable: the agent channel failed or the VMM died.
	ErrGuestUnreachable = errors.New("guest unreachable")
	// ErrPortInUse: a host port to publish cannot be bound.
	ErrPortInUse = errors.New("port in use")
	// ErrInvalidArgument: a malformed or conflicting request.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrNoRoute: no such route (code no_route): the caller speaks another
	// version of this API. Never a missing thing the route looks up.
	ErrNoRoute = errors.New("no route")
)

// Errorf returns an error whose message is the formatted text alone (no
// sentinel prefix, so it reads well in an answer) and which matches both
// sentinel and any error wrapped in format with %w under errors.Is/As.
func Errorf(sentinel error, format string, args ...any) error {
	return &sentinelError{sentinel: sentinel, err: fmt.Errorf(format, args...)}
}

type sentinelError struct {
	sentinel error
	err      error
}

func (e *sentinelError) Error() string   { return e.err.Error() }
func (e *sentinelError) Unwrap() []error { return []error{e.sentinel, e.err} }

// ErrorBody is the {code, message} pair of every error answer and of
// State.Error.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorResponse is the body of every non-2xx answer except GET /v1/ready's.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// Codes recorded in State.Error. They reach core through /v1/ready and sv.json.
const (
	CodeBootFailed = "boot_failed"
	// CodeRestoreFailed: a start from saved state did not give a verified,
	// answering guest in time; core then boots cold.
	CodeRestoreFailed = "restore_failed"
	// CodeSaveFailed: the VMM could not write the VM's saved state.
	CodeSaveFailed       = "save_failed"
	CodeProtocolMismatch = "guest_protocol_mismatch"
	CodeVMMCrashed       = "vmm_crashed"
	CodeVMMUnavailable   = "vmm_unavailable"
	CodeInternal         = "internal"
)

// CodedErrorCodes are the codes a CodedError carries (State.Error, the 503
// of GET /v1/ready, a 500 answer). The host maps each of them.
var CodedErrorCodes = []string{CodeBootFailed, CodeProtocolMismatch, CodeVMMCrashed, CodeVMMUnavailable, CodeSaveFailed, CodeInternal}

// CodedError carries a code of its own (boot and VMM failures). It can also
// wrap a sentinel, which then decides the HTTP status.
type CodedError struct {
	Code    string
	Message string
	Err     error // optional cause
}

func (e *CodedError) Error() string { return e.Message }
func (e *CodedError) Unwrap() error { return e.Err }

// Codef builds a CodedError with a formatted message.
func Codef(code, format string, args ...any) *CodedError {
	return &CodedError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Body returns err as an ErrorBody: a CodedError keeps its code, anything
// else becomes code "internal".
func Body(err error) ErrorBody {
	var ce *CodedError
	if errors.As(err, &ce) {
		return ErrorBody{Code: ce.Code, Message: ce.Message}
	}
	return ErrorBody{Code: CodeInternal, Message: err.Error()}
}
