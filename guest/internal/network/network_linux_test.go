package network

import (
	"net"
	"testing"

	"github.com/vishvananda/netlink"
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

// Only a plain Ethernet device is configured; links are built in memory,
// so no host interface is touched.
func TestIsEthernet(t *testing.T) {
	attrs := func(name, encap string) netlink.LinkAttrs {
		return netlink.LinkAttrs{Name: name, EncapType: encap}
	}
	tests := []struct {
		link netlink.Link
		want bool
	}{
		{&netlink.Device{LinkAttrs: attrs("eth0", "ether")}, true},
		{&netlink.Device{LinkAttrs: attrs("lo", "loopback")}, false},
		{&netlink.Sittun{LinkAttrs: attrs("sit0", "sit")}, false},
		{&netlink.Iptun{LinkAttrs: attrs("tunl0", "ipip")}, false},
		{&netlink.Dummy{LinkAttrs: attrs("dummy0", "ether")}, false},
		{&netlink.Bridge{LinkAttrs: attrs("br0", "ether")}, false},
		{nil, false},
	}
	for _, tt := range tests {
		name := "nil"
		if tt.link != nil {
			name = tt.link.Attrs().Name
		}
		if got := isEthernet(tt.link); got != tt.want {
			t.Errorf("isEthernet(%s) = %v, want %v", name, got, tt.want)
		}
	}
}
