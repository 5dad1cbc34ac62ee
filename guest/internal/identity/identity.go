// Package identity makes a guest its own: after a restore from a template
// every clone starts with the template's clock, RNG state, host name,
// machine id and (unconfigured) NIC, and two clones must never share a
// random stream, an address or a name. The host sends what is needed
// (POST /v1/identity, docs/agent-protocol.md); Apply sets it.
package identity

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/network"
)

// MachineIDPath is the machine id file (machine-id(5)).
const MachineIDPath = "/etc/machine-id"

// RuntimeMachineIDPath holds the id, bind-mounted over MachineIDPath, when
// the root file system has no room for it (or is read-only).
const RuntimeMachineIDPath = "/run/pyro/machine-id"

// Entropy bounds, in bytes: at least one full CRNG reseed (256 bits).
const (
	MinEntropy = 32
	MaxEntropy = 4096
)

// Request is what the host says the guest is.
type Request struct {
	// WallClock is the host's time when it sent the request.
	WallClock time.Time
	// Entropy is host randomness mixed into the kernel's pool, credited,
	// before the CRNG is reseeded.
	Entropy   []byte
	Hostname  string
	MachineID string
	// Network is the NIC's own MAC and address; nil = no NIC.
	Network *Network
}

// Network is the guest NIC's identity.
type Network struct {
	MAC    net.HardwareAddr
	Config network.Config
}

var (
	// ErrInvalid wraps every reason a request is refused.
	ErrInvalid = errors.New("invalid identity")

	hostnamePattern  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	machineIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// Check validates r before anything is changed. Errors wrap ErrInvalid.
func (r Request) Check() error {
	switch {
	case r.WallClock.Unix() <= 0:
		return fmt.Errorf("%w: wall clock %v", ErrInvalid, r.WallClock)
	case len(r.Entropy) < MinEntropy || len(r.Entropy) > MaxEntropy:
		return fmt.Errorf("%w: entropy of %d bytes (want %d to %d)", ErrInvalid, len(r.Entropy), MinEntropy, MaxEntropy)
	case !hostnamePattern.MatchString(r.Hostname):
		return fmt.Errorf("%w: host name %q", ErrInvalid, r.Hostname)
	case !machineIDPattern.MatchString(r.MachineID):
		return fmt.Errorf("%w: machine id %q (want 32 lowercase hex digits)", ErrInvalid, r.MachineID)
	case r.Network != nil && len(r.Network.MAC) != 6:
		return fmt.Errorf("%w: MAC %q", ErrInvalid, r.Network.MAC)
	}
	return nil
}

// ParseNetwork reads the host's NIC identity: a MAC and a pyro.net value
// (IP/PREFIX,GATEWAY[,DNS...]). Errors wrap ErrInvalid.
func ParseNetwork(mac, config string) (*Network, error) {
	hw, err := net.ParseMAC(mac)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	cfg, _, err := network.ParseCmdline(network.Param + "=" + config)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return &Network{MAC: hw, Config: cfg}, nil
}
