package channel

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

const (
	classDir = "/sys/class/virtio-ports"
	// namesGrace is how long unnamed virtio ports may keep us waiting for
	// ours before a usable vsock wins: names arrive asynchronously from QEMU.
	namesGrace = 2 * time.Second
)

// Open waits until the host link exists and opens it. It never gives up:
// the caller is PID 1 and has nothing better to do; waiting is logged once.
func Open(logf func(string, ...any)) (Link, error) {
	start := time.Now()
	var b backoff
	for logged := false; ; {
		if path, ok := findPort(classDir, "/dev", PortName); ok {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				return nil, fmt.Errorf("open %s: %w", path, err)
			}
			return &serialLink{f: f}, nil
		}
		if vsockUsable() && (noVirtioPorts() || time.Since(start) > namesGrace) {
			return listenVsock(VsockPort)
		}
		if !logged {
			logf("pyro-agent: channel: waiting for virtio port %q or vsock", PortName)
			logged = true
		}
		time.Sleep(b.next())
	}
}

type serialLink struct{ f *os.File }

func (l *serialLink) String() string { return "virtio-serial " + l.f.Name() }

// Serve closes the port when it fails, so the caller can open it afresh.
func (l *serialLink) Serve(serve ServeFunc) error {
	defer l.f.Close()
	return serveSessions(l.f, serve, time.Sleep)
}

func noVirtioPorts() bool {
	entries, _ := os.ReadDir(classDir)
	return len(entries) == 0
}

// vsockUsable reports whether a guest-to-host vsock transport is loaded:
// without one the local CID is VMADDR_CID_ANY and nobody can connect.
func vsockUsable() bool {
	f, err := os.Open("/dev/vsock")
	if err != nil {
		return false
	}
	defer f.Close()
	cid, err := unix.IoctlGetUint32(int(f.Fd()), unix.IOCTL_VM_SOCKETS_GET_LOCAL_CID)
	return err == nil && cid != unix.VMADDR_CID_ANY && cid > unix.VMADDR_CID_HOST
}

type vsockLink struct {
	fd   int
	port uint32
}

func listenVsock(port uint32) (Link, error) {
	fd, err := unix.Socket(unix.AF_VSOCK, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("vsock socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrVM{CID: unix.VMADDR_CID_ANY, Port: port}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("vsock bind port %d: %w", port, err)
	}
	if err := unix.Listen(fd, 4); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("vsock listen port %d: %w", port, err)
	}
	return &vsockLink{fd: fd, port: port}, nil
}

func (l *vsockLink) String() string { return fmt.Sprintf("vsock port %d", l.port) }

// Serve accepts host connections; each is its own HTTP/2 session. The
// blocking accept ties up one thread, which is cheaper than a poller dance.
func (l *vsockLink) Serve(serve ServeFunc) error {
	var b backoff
	for {
		nfd, _, err := unix.Accept4(l.fd, unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
		if err == unix.EINTR || err == unix.ECONNABORTED {
			continue
		}
		if err != nil { // e.g. EMFILE: wait for descriptors to free up
			time.Sleep(b.next())
			continue
		}
		b = backoff{}
		go serve(&fileConn{f: os.NewFile(uintptr(nfd), "vsock")})
	}
}
