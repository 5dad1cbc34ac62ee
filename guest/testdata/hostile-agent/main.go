// Command hostile-agent stands in for pyro-agent in tests of the host's
// defences (test/integration/hostile-agent.test.ts). It boots exactly like
// the real agent, through the same packages (initramfs modules, root switch,
// mounts, the virtio-serial link, HTTP/2), and answers what boot needs
// (GET /v1/info, identity, limits, secrets, poweroff) correctly, so the supervisor
// calls the VM ready. Every other route misbehaves on purpose; routes.go says
// how. It lives under testdata so `go build ./...` and the npm package leave
// it out; the test builds it with `go build ./testdata/hostile-agent`.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/net/http2"

	"github.com/pyro-mcp/pyro/guest/internal/channel"
	"github.com/pyro-mcp/pyro/guest/internal/rootswitch"
	"github.com/pyro-mcp/pyro/guest/internal/sysinfo"
	"github.com/pyro-mcp/pyro/guest/internal/sysinit"
)

func main() {
	boot := sysinfo.Uptime()
	if os.Getpid() == 1 {
		sysinit.ShieldSignals()
	}
	if rootswitch.InInitramfs() {
		report("initramfs", errors.Join(rootswitch.EarlyMounts(), sysinit.EnsureConsole()))
		report("modules", rootswitch.LoadModules())
		report("switch", rootswitch.Switch())
	}
	if os.Getpid() == 1 {
		report("mounts", errors.Join(sysinit.Mount(), sysinit.EnsureConsole(), sysinit.SetHostname()))
	}
	h2 := &http2.Server{MaxConcurrentStreams: 1024}
	opts := &http2.ServeConnOpts{Handler: handler(boot.Milliseconds())}
	ready := false
	for { // as the real agent: reopen the link whenever it breaks; PID 1 never exits
		link, err := channel.Open(logf)
		if err != nil {
			report("channel", err)
			time.Sleep(time.Second)
			continue
		}
		if !ready {
			logf("pyro-agent: hostile stand-in ready uptime_ms=%d", sysinfo.Uptime().Milliseconds())
			ready = true
		}
		report("serve", link.Serve(func(c net.Conn) { h2.ServeConn(c, opts) }))
		time.Sleep(time.Second)
	}
}

func report(phase string, err error) {
	if err != nil {
		logf("pyro-agent: %s: %v", phase, err)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}
