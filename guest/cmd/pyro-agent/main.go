// Command pyro-agent is PID 1 of a pyro guest. It prepares the system,
// then serves the agent protocol (docs/agent-protocol.md) over HTTP/2 on
// the host link for the life of the VM.
//
// PID 1 must never exit: that panics the kernel. Fatal problems are logged
// to the console and the agent then sleeps forever; the host notices the
// missing "pyro-agent: ready" line or the dead link and kills the VM.
package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/net/http2"

	"github.com/pyro-mcp/pyro/guest/internal/api"
	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
	"github.com/pyro-mcp/pyro/guest/internal/channel"
	"github.com/pyro-mcp/pyro/guest/internal/identity"
	"github.com/pyro-mcp/pyro/guest/internal/network"
	"github.com/pyro-mcp/pyro/guest/internal/power"
	"github.com/pyro-mcp/pyro/guest/internal/reaper"
	"github.com/pyro-mcp/pyro/guest/internal/rootswitch"
	"github.com/pyro-mcp/pyro/guest/internal/secrets"
	"github.com/pyro-mcp/pyro/guest/internal/services"
	"github.com/pyro-mcp/pyro/guest/internal/shells"
	"github.com/pyro-mcp/pyro/guest/internal/sysinfo"
	"github.com/pyro-mcp/pyro/guest/internal/sysinit"
)

// console is the kernel console when we are PID 1 (the kernel opened it as
// our stdout); otherwise stderr, for a debug run.
var console io.Writer = os.Stderr

func main() {
	boot := sysinfo.Uptime()
	pid1 := os.Getpid() == 1
	if pid1 {
		console = os.Stdout
		sysinit.ShieldSignals()
	}
	log.SetOutput(console) // x/net/http2 logs through the log package
	log.SetFlags(0)
	log.SetPrefix("pyro-agent: ")
	defer func() {
		if p := recover(); p != nil {
			fatal("panic", fmt.Errorf("%v\n%s", p, debug.Stack()))
		}
	}()

	if rootswitch.InInitramfs() {
		// Started from pyro's initramfs: without the root disk nothing else
		// can work, so a failure here parks PID 1 with its reason on the console.
		if !phase("initramfs", initramfs) {
			// Power off so the VMM exits and the host reports this console line at
			// once, instead of waiting out its boot timeout for an agent that never comes.
			logf("pyro-agent: initramfs: the root disk could not be mounted; powering off")
			report("power", power.Off())
			fatal("initramfs", errors.New("the root disk could not be mounted"))
		}
	}
	if pid1 { // never touch a real host's mounts, hostname or links
		phase("mounts", mounts)
	}
	phase("reaper", reaper.Init)
	// User work runs in cgroups under caps, the agent outside them; before
	// anything is spawned. Without cgroup v2 nothing is limited (cg nil).
	var cg *cgroups.Manager
	if pid1 {
		phase("cgroups", func() (err error) { cg, err = cgroups.Setup(); return err })
		phase("network", network.Setup) // lo, and pyro.net when the host gave one
	}

	// The secrets tmpfs is mounted on the first PUT /v1/secrets: a guest
	// given no secrets never has it. Only PID 1 mounts anything.
	var mountSecrets func(string) error
	if pid1 {
		mountSecrets = secrets.MountTmpfs
	}
	secretStore := secrets.NewStore(secrets.DefaultDir, mountSecrets)

	srv := &api.Server{
		BootMs:   boot.Milliseconds(),
		Kernel:   sysinfo.KernelRelease(),
		Uptime:   sysinfo.Uptime,
		Sync:     power.Sync,
		PowerOff: power.Off,
		Logf:     logf,
		Shells:   shells.NewManager(secretStore.Values),
		Services: services.NewManager(services.DefaultDir, secretStore.Values),
		Secrets:  secretStore,
		Cgroups:  cg,
	}
	if pid1 { // never rename a real host or set its clock
		// Logged on the console too: a guest restored from a template never prints its boot
		// lines again, and this is the line its console log then shows it alive by.
		srv.SetIdentity = func(r identity.Request) error {
			err := identity.Apply(r)
			logf("pyro-agent: identity applied hostname=%s ok=%t", r.Hostname, err == nil)
			return err
		}
	}
	srv.Shells.Cgroups, srv.Services.Cgroups = cg, cg
	serve(srv)
}

// mounts prepares the system: filesystems first, since the console and
// everything after may live on devtmpfs.
func mounts() error {
	return errors.Join(sysinit.Mount(), sysinit.EnsureConsole(), sysinit.SetHostname(), sysinit.SetEnv())
}

// initramfs loads the kernel modules the initramfs carries and switches to
// the root disk; the console comes first so every step can be seen.
func initramfs() error {
	if err := rootswitch.EarlyMounts(); err != nil {
		return err
	}
	if err := sysinit.EnsureConsole(); err != nil {
		return err
	}
	report("modules", rootswitch.LoadModules()) // a missing NIC driver must not stop the boot
	return rootswitch.Switch()
}

// serve opens the host link and serves it; if the link breaks it is opened
// again, so the loop only ends with the VM.
func serve(srv *api.Server) {
	// Published-port connections each hold a stream; the host caps them at 256, so 1024
	// leaves exec, files and shells room however busy a published port is.
	// Upload windows well above the defaults (1 MiB), so a sync push never waits a round trip
	// of the slow virtio-serial link for a WINDOW_UPDATE; a stream only buffers this much when
	// its handler stops reading.
	h2 := &http2.Server{
		MaxConcurrentStreams:         1024,
		MaxUploadBufferPerStream:     8 << 20,
		MaxUploadBufferPerConnection: 32 << 20,
	}
	opts := &http2.ServeConnOpts{Handler: srv.Handler()}
	session := func(c net.Conn) { h2.ServeConn(c, opts) }
	ready := false
	for {
		link, err := channel.Open(logf)
		if !phase("channel", func() error { return err }) {
			time.Sleep(time.Second)
			continue
		}
		if !ready {
			logf("pyro-agent: channel: %s", link)
			logf("pyro-agent: ready uptime_ms=%d", sysinfo.Uptime().Milliseconds())
			ready = true
		}
		phase("serve", func() error { return link.Serve(session) })
		time.Sleep(time.Second)
	}
}

// phase runs one start-up step and prints each failure as
// "pyro-agent: <phase>: <err>"; start-up continues regardless.
func phase(name string, step func() error) bool {
	err := step()
	report(name, err)
	return err == nil
}

// report prints each error of an errors.Join on its own line.
func report(name string, err error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			report(name, e)
		}
	} else if err != nil {
		logf("pyro-agent: %s: %v", name, err)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(console, format+"\n", args...)
}

// fatal logs and, as PID 1, parks forever instead of exiting.
func fatal(name string, err error) {
	logf("pyro-agent: %s: %v", name, err)
	if os.Getpid() != 1 {
		os.Exit(1)
	}
	for {
		time.Sleep(time.Hour)
	}
}
