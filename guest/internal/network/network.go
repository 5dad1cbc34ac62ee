// Package network brings up the guest's loopback interface, so servers a
// command starts on 127.0.0.1 are reachable from other commands, and, when
// the host asks for it on the kernel command line, the guest's network
// interface.
package network

import (
	"fmt"
	"net/netip"
	"strings"
)

// Param is the kernel command-line parameter the host sets for a guest
// with a network: pyro.net=IP/PREFIX,GATEWAY[,DNS1[,DNS2]].
const Param = "pyro.net"

// Config is what pyro.net asks for.
type Config struct {
	Addr    netip.Prefix // the guest's address and the length of its network
	Gateway netip.Addr   // the default route's next hop
	DNS     []netip.Addr // nameservers for /etc/resolv.conf; none: left alone
}

// ParseCmdline finds pyro.net in a kernel command line. ok is false when
// the parameter is absent; a malformed one is an error. As with other
// kernel parameters, the last occurrence wins.
func ParseCmdline(cmdline string) (cfg Config, ok bool, err error) {
	val := ""
	for _, f := range strings.Fields(cmdline) {
		if v, found := strings.CutPrefix(f, Param+"="); found {
			val, ok = v, true
		}
	}
	if !ok {
		return Config{}, false, nil
	}
	cfg, err = parse(val)
	return cfg, true, err
}

func parse(val string) (Config, error) {
	parts := strings.Split(val, ",")
	if len(parts) < 2 || len(parts) > 4 {
		return Config{}, fmt.Errorf("%s=%q: want IP/PREFIX,GATEWAY[,DNS1[,DNS2]]", Param, val)
	}
	var cfg Config
	var err error
	if cfg.Addr, err = netip.ParsePrefix(parts[0]); err != nil {
		return Config{}, fmt.Errorf("%s address: %w", Param, err)
	}
	if cfg.Gateway, err = netip.ParseAddr(parts[1]); err != nil {
		return Config{}, fmt.Errorf("%s gateway: %w", Param, err)
	}
	if cfg.Gateway.Is4() != cfg.Addr.Addr().Is4() {
		return Config{}, fmt.Errorf("%s: gateway %s and address %s are of different IP versions", Param, cfg.Gateway, cfg.Addr)
	}
	for _, p := range parts[2:] {
		dns, err := netip.ParseAddr(p)
		if err != nil {
			return Config{}, fmt.Errorf("%s dns: %w", Param, err)
		}
		cfg.DNS = append(cfg.DNS, dns)
	}
	return cfg, nil
}
