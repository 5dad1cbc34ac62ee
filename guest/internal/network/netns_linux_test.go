package network

import (
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// inNewNetns runs fn on a thread moved to a fresh network namespace, so
// links can be made and configured without touching the host's. The
// thread stays locked and is discarded when fn returns. fn runs off the
// test goroutine: it reports with t.Errorf, and returns a reason to skip.
func inNewNetns(t *testing.T, fn func() (skip string)) {
	t.Helper()
	skip := make(chan string, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			skip <- "no network namespace (needs root): " + err.Error()
			return
		}
		skip <- fn()
	}()
	if reason := <-skip; reason != "" {
		t.Skip(reason)
	}
}

func TestConfigureLinkInNetns(t *testing.T) {
	inNewNetns(t, func() string {
		if err := LoopbackUp(); err != nil {
			t.Errorf("LoopbackUp: %v", err)
		}
		// Only lo exists in a new namespace: no Ethernet device to find.
		if _, err := waitForLink(100 * time.Millisecond); err == nil || !strings.Contains(err.Error(), "no network interface") {
			t.Errorf("waitForLink with no device: %v", err)
		}
		// A veth stands in for virtio-net (isEthernet would refuse it, so
		// configureLink is called directly).
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "eth0"}, PeerName: "peer0"}
		if err := netlink.LinkAdd(veth); err != nil {
			return "cannot create a veth pair: " + err.Error()
		}
		link, err := netlink.LinkByName("eth0")
		if err != nil {
			t.Error(err)
			return ""
		}
		mac := link.Attrs().HardwareAddr.String()
		cfg := Config{Addr: netip.MustParsePrefix("172.29.0.2/30"), Gateway: netip.MustParseAddr("172.29.0.1")}
		for i := 0; i < 2; i++ { // a second run changes nothing and does not fail
			if err := configureLink(link, cfg); err != nil {
				t.Errorf("run %d: %v", i+1, err)
				return ""
			}
		}
		link, _ = netlink.LinkByName("eth0")
		if link.Attrs().Flags&net.FlagUp == 0 || link.Attrs().HardwareAddr.String() != mac {
			t.Errorf("flags %v mac %s (was %s)", link.Attrs().Flags, link.Attrs().HardwareAddr, mac)
		}
		addrs, _ := netlink.AddrList(link, netlink.FAMILY_V4)
		if len(addrs) != 1 || addrs[0].IPNet.String() != "172.29.0.2/30" {
			t.Errorf("addresses %v", addrs)
		}
		routes, _ := netlink.RouteList(link, netlink.FAMILY_V4)
		var def []string
		for _, r := range routes {
			if r.Dst == nil || r.Dst.String() == "0.0.0.0/0" {
				def = append(def, r.Gw.String())
			}
		}
		if len(def) != 1 || def[0] != "172.29.0.1" {
			t.Errorf("default routes via %v; all routes %v", def, routes)
		}
		// A fork's guest is told a new address: the old one goes, the default route follows.
		moved := Config{Addr: netip.MustParsePrefix("172.29.0.6/30"), Gateway: netip.MustParseAddr("172.29.0.5")}
		if err := configureLink(link, moved); err != nil {
			t.Errorf("new address: %v", err)
			return ""
		}
		addrs, _ = netlink.AddrList(link, netlink.FAMILY_V4)
		if len(addrs) != 1 || addrs[0].IPNet.String() != "172.29.0.6/30" {
			t.Errorf("addresses after the move %v", addrs)
		}
		routes, _ = netlink.RouteList(link, netlink.FAMILY_V4)
		for _, r := range routes {
			if (r.Dst == nil || r.Dst.String() == "0.0.0.0/0") && r.Gw.String() != "172.29.0.5" {
				t.Errorf("a default route via %s after the move", r.Gw)
			}
		}
		return ""
	})
}
