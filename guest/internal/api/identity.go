package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/identity"
)

// IdentityRequest is the body of POST /v1/identity.
type IdentityRequest struct {
	WallClockNs int64            `json:"wall_clock_ns"` // host Unix time, ns
	Entropy     []byte           `json:"entropy"`       // base64 in JSON
	Hostname    string           `json:"hostname"`
	MachineID   string           `json:"machine_id"`
	Network     *IdentityNetwork `json:"network,omitempty"`
}

// IdentityNetwork is the NIC's own MAC and pyro.net value.
type IdentityNetwork struct {
	MAC    string `json:"mac"`
	Config string `json:"config"`
}

// identity makes the guest its own (internal/identity): the host calls it
// right after every boot and above all after every restore from a template.
func (s *Server) identity(w http.ResponseWriter, r *http.Request) error {
	var req IdentityRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	id := identity.Request{
		WallClock: time.Unix(0, req.WallClockNs),
		Entropy:   req.Entropy,
		Hostname:  req.Hostname,
		MachineID: req.MachineID,
	}
	if req.Network != nil {
		n, err := identity.ParseNetwork(req.Network.MAC, req.Network.Config)
		if err != nil {
			return invalidf("%v", err)
		}
		id.Network = n
	}
	if err := id.Check(); err != nil {
		return invalidf("%v", err)
	}
	if s.SetIdentity == nil {
		return errors.New("identity: not supported here")
	}
	if err := s.SetIdentity(id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, OKResponse{OK: true})
	return nil
}
