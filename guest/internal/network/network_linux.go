package network

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Paths read and written by Setup.
const (
	cmdlinePath    = "/proc/cmdline"
	resolvConfPath = "/etc/resolv.conf"
)

// linkWait bounds the wait for the network device: virtio-net may finish
// probing a little after PID 1 starts.
const linkWait = 2 * time.Second

// Setup brings lo up and, if the kernel command line carries pyro.net,
// configures the guest's network from it. It reports every failure and
// never stops at one: a guest without a network still serves the host.
func Setup() error {
	errs := []error{LoopbackUp()}
	cmdline, err := os.ReadFile(cmdlinePath)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("read kernel command line: %w", err))...)
	}
	cfg, ok, err := ParseCmdline(string(cmdline))
	if !ok || err != nil {
		return errors.Join(append(errs, err)...)
	}
	errs = append(errs, Configure(cfg))
	if len(cfg.DNS) > 0 {
		errs = append(errs, WriteResolvConf(resolvConfPath, cfg.DNS))
	}
	return errors.Join(errs...)
}

// Configure sets up the first Ethernet device through netlink (no fork of
// ip(8)): the link up, cfg.Addr on it, a default route via cfg.Gateway.
// Its MAC address is left as the VMM set it. Replace instead of add, so
// running it twice is harmless.
func Configure(cfg Config) error {
	link, err := waitForLink(linkWait)
	if err != nil {
		return err
	}
	return configureLink(link, cfg)
}

func configureLink(link netlink.Link, cfg Config) error {
	name := link.Attrs().Name
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	ipnet := &net.IPNet{IP: cfg.Addr.Addr().AsSlice(), Mask: net.CIDRMask(cfg.Addr.Bits(), cfg.Addr.Addr().BitLen())}
	if err := netlink.AddrReplace(link, &netlink.Addr{IPNet: ipnet}); err != nil {
		return fmt.Errorf("add address %s to %s: %w", cfg.Addr, name, err)
	}
	// A forked workspace's guest still holds its parent's address: it must have only its own.
	if err := removeOtherAddrs(link, ipnet); err != nil {
		return err
	}
	route := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: cfg.Gateway.AsSlice()} // no Dst: default
	if err := netlink.RouteReplace(route); err != nil {
		return fmt.Errorf("default route via %s dev %s: %w", cfg.Gateway, name, err)
	}
	return nil
}

// removeOtherAddrs deletes every IPv4 address of link but keep (with its
// subnet route): the one a restored guest had before its host gave it a new one.
func removeOtherAddrs(link netlink.Link, keep *net.IPNet) error {
	addrs, err := netlink.AddrList(link, netlink.FAMILY_V4)
	if err != nil {
		return fmt.Errorf("list addresses of %s: %w", link.Attrs().Name, err)
	}
	for _, a := range addrs {
		if a.IPNet == nil || (a.IP.Equal(keep.IP) && a.Mask.String() == keep.Mask.String()) {
			continue
		}
		if err := netlink.AddrDel(link, &a); err != nil {
			return fmt.Errorf("remove address %s from %s: %w", a.IPNet, link.Attrs().Name, err)
		}
	}
	return nil
}

// SetMAC gives the first Ethernet device the address mac (a restored clone
// starts with its template's). virtio-net changes it while up; a driver that
// refuses gets it with the link briefly down.
func SetMAC(mac net.HardwareAddr) error {
	link, err := waitForLink(linkWait)
	if err != nil {
		return err
	}
	if link.Attrs().HardwareAddr.String() == mac.String() {
		return nil
	}
	if err := netlink.LinkSetHardwareAddr(link, mac); err == nil {
		return nil
	}
	if err := netlink.LinkSetDown(link); err != nil {
		return fmt.Errorf("set %s down: %w", link.Attrs().Name, err)
	}
	if err := netlink.LinkSetHardwareAddr(link, mac); err != nil {
		return fmt.Errorf("set MAC of %s to %s: %w", link.Attrs().Name, mac, err)
	}
	return netlink.LinkSetUp(link)
}

// waitForLink returns the first Ethernet device, waiting up to wait for
// one to appear. It listens for link events (existing links are listed
// first), so it returns as soon as the device registers.
func waitForLink(wait time.Duration) (netlink.Link, error) {
	updates := make(chan netlink.LinkUpdate)
	done := make(chan struct{})
	defer func() {
		close(done)
		go func() { // the subscriber sends until it sees done; let it finish
			for range updates {
			}
		}()
	}()
	opts := netlink.LinkSubscribeOptions{ListExisting: true}
	if err := netlink.LinkSubscribeWithOptions(updates, done, opts); err != nil {
		return nil, fmt.Errorf("watch network links: %w", err)
	}
	timeout := time.NewTimer(wait)
	defer timeout.Stop()
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				return nil, errors.New("watch network links: subscription ended")
			}
			if isEthernet(u.Link) {
				return u.Link, nil
			}
		case <-timeout.C:
			return nil, fmt.Errorf("no network interface after %v", wait)
		}
	}
}

// isEthernet is true for a plain device with an Ethernet link layer
// (virtio-net's eth0): not lo, and not the tunnels (sit0, tunl0) or other
// virtual links a kernel may create on its own.
func isEthernet(l netlink.Link) bool {
	return l != nil && l.Type() == "device" && l.Attrs().EncapType == "ether"
}

// LoopbackUp sets IFF_UP on "lo" with two ioctls: no fork of ip(8), which
// costs tens of milliseconds under TCG.
func LoopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCGIFFLAGS lo: %w", err)
	}
	flags := ifr.Uint16()
	if flags&unix.IFF_UP != 0 {
		return nil
	}
	ifr.SetUint16(flags | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCSIFFLAGS lo: %w", err)
	}
	return nil
}
