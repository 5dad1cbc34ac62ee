package network

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// WriteResolvConf replaces path with one "nameserver X" line per server,
// written beside it and renamed over it, so a resolver never reads half a
// file (and a symlink there is replaced, not written through).
func WriteResolvConf(path string, servers []netip.Addr) error {
	var b strings.Builder
	for _, s := range servers {
		fmt.Fprintf(&b, "nameserver %s\n", s)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".resolv.conf.*")
	if err != nil {
		return fmt.Errorf("resolv.conf: %w", err)
	}
	_, werr := tmp.WriteString(b.String())
	err = errors.Join(werr, tmp.Chmod(0o644), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("resolv.conf: %w", err)
	}
	return nil
}
