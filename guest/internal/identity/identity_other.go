//go:build !linux

package identity

import "errors"

// Apply needs Linux.
func Apply(Request) error { return errors.New("identity: needs Linux") }
