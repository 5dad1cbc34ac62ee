package network

import (
	"net"
	"testing"
)

// On a test host lo is already up, so this checks the ioctl plumbing
// without needing CAP_NET_ADMIN.
func TestLoopbackUp(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil || lo.Flags&net.FlagUp == 0 {
		t.Skip("no loopback that is up on this host")
	}
	if err := LoopbackUp(); err != nil {
		t.Fatal(err)
	}
}
