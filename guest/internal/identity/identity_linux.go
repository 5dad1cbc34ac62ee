package identity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/pyro-mcp/pyro/guest/internal/network"
)

// randomDevice takes the RNDADDENTROPY and RNDRESEEDCRNG ioctls.
const randomDevice = "/dev/random"

// Apply sets the wall clock first (so everything after is stamped right),
// then reseeds the RNG, names the machine and configures its NIC. It does
// every step and reports every failure.
func Apply(r Request) error {
	if err := r.Check(); err != nil {
		return err
	}
	errs := []error{setClock(r), Reseed(r.Entropy)}
	if err := unix.Sethostname([]byte(r.Hostname)); err != nil {
		errs = append(errs, fmt.Errorf("set host name: %w", err))
	}
	errs = append(errs, WriteMachineID(MachineIDPath, r.MachineID))
	if r.Network != nil {
		errs = append(errs, configureNIC(r.Network))
	}
	return errors.Join(errs...)
}

func setClock(r Request) error {
	ts := unix.NsecToTimespec(r.WallClock.UnixNano())
	if err := unix.ClockSettime(unix.CLOCK_REALTIME, &ts); err != nil {
		return fmt.Errorf("set wall clock: %w", err)
	}
	return nil
}

// Reseed mixes entropy into the kernel's input pool, credited in full
// (RNDADDENTROPY: the host's getrandom is a good source), then makes the
// CRNG reseed from it now (RNDRESEEDCRNG) instead of at its next interval,
// so no output after this shares a stream with the template or a sibling.
func Reseed(entropy []byte) error {
	f, err := os.OpenFile(randomDevice, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", randomDevice, err)
	}
	defer f.Close()
	// struct rand_pool_info { int entropy_count; int buf_size; __u32 buf[]; }
	info := make([]byte, 8+len(entropy)+3)
	binary.NativeEndian.PutUint32(info[0:], uint32(8*len(entropy)))
	binary.NativeEndian.PutUint32(info[4:], uint32(len(entropy)))
	copy(info[8:], entropy)
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, f.Fd(), unix.RNDADDENTROPY, uintptr(unsafe.Pointer(&info[0]))); errno != 0 {
		return fmt.Errorf("RNDADDENTROPY: %w", errno)
	}
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, f.Fd(), unix.RNDRESEEDCRNG, 0); errno != 0 {
		return fmt.Errorf("RNDRESEEDCRNG: %w", errno)
	}
	return nil
}

// WriteMachineID replaces path with id (temp file, then rename: a reader
// never sees half of it), mode 0444 as systemd makes it. On a root that is
// full or read-only it does what systemd does there: the id goes to
// RuntimeMachineIDPath (tmpfs) and is bind-mounted over path, so a guest
// that filled its own disk still boots with its own id.
func WriteMachineID(path, id string) error {
	// An earlier fallback's bind mount would hide the file (and refuse a rename over it).
	_ = unix.Unmount(path, unix.MNT_DETACH)
	err := replaceFile(path, id)
	if err == nil || !(errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT) || errors.Is(err, unix.EROFS)) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(RuntimeMachineIDPath), 0o755); err != nil {
		return fmt.Errorf("write machine id: %w", err)
	}
	if err := replaceFile(RuntimeMachineIDPath, id); err != nil {
		return err
	}
	if err := unix.Mount(RuntimeMachineIDPath, path, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("write machine id: bind %s: %w", RuntimeMachineIDPath, err)
	}
	return nil
}

// replaceFile writes id to a temp file beside path and renames it over path.
func replaceFile(path, id string) error {
	tmp := filepath.Join(filepath.Dir(path), ".machine-id.pyro-tmp")
	if err := os.WriteFile(tmp, []byte(id+"\n"), 0o444); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write machine id: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write machine id: %w", err)
	}
	return nil
}

// configureNIC gives the NIC its own MAC (a restored clone has its
// template's), then its address, route and nameservers.
func configureNIC(n *Network) error {
	if err := network.SetMAC(n.MAC); err != nil {
		return err
	}
	errs := []error{network.Configure(n.Config)}
	if len(n.Config.DNS) > 0 {
		errs = append(errs, network.WriteResolvConf("/etc/resolv.conf", n.Config.DNS))
	}
	return errors.Join(errs...)
}
