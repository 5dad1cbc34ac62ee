// Package power flushes and ends the guest.
package power

import "errors"

// ErrNotInit guards Off: outside PID 1 (tests, a debug run on a real host)
// killing every process would be a disaster.
var ErrNotInit = errors.New("power: refusing to power off when not PID 1")
