//go:build !linux

package channel

import "errors"

// Open is only implemented on Linux.
func Open(func(string, ...any)) (Link, error) {
	return nil, errors.New("channel: host link needs Linux")
}
