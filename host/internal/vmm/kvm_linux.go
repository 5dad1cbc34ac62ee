package vmm

import (
	"golang.org/x/sys/unix"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// CheckKVM reports what the calling user may do with the KVM device at path
// (KVMDevicePath), with access(2): effective permissions, no open.
func CheckKVM(path string) protocol.KVMDevice {
	return protocol.KVMDevice{
		Path:     path,
		Exists:   unix.Access(path, unix.F_OK) == nil,
		Readable: unix.Access(path, unix.R_OK) == nil,
		Writable: unix.Access(path, unix.W_OK) == nil,
	}
}
