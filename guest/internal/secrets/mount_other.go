//go:build !linux

package secrets

import "errors"

func MountTmpfs(string) error { return errors.New("secrets: mounting needs Linux") }
