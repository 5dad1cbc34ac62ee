package vmm

import (
	"errors"
	"fmt"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// ErrUnsupported is wrapped by every error for a capability the driver
// lacks (check with errors.Is).
var ErrUnsupported = errors.New("vmm capability not supported")

// UnsupportedError names the driver and the missing feature.
type UnsupportedError struct {
	Driver  string
	Feature string // e.g. "pause/resume"
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("the %s driver does not support %s", e.Driver, e.Feature)
}

func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// UnavailableError: the driver cannot run on this host (binary missing, or
// not implemented yet). Its protocol code is "vmm_unavailable".
type UnavailableError struct {
	Driver string
	Reason string
	Hint   string // the next step for a human, e.g. which package to install
}

func (e *UnavailableError) Error() string {
	msg := fmt.Sprintf("VMM %q is unavailable: %s", e.Driver, e.Reason)
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// Coded returns e as a protocol.CodedError with code vmm_unavailable.
func (e *UnavailableError) Coded() *protocol.CodedError {
	return &protocol.CodedError{Code: protocol.CodeVMMUnavailable, Message: e.Error(), Err: e}
}
