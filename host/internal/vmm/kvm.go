package vmm

import "github.com/pyro-mcp/pyro/host/internal/protocol"

// KVMDevicePath is the device both drivers need for hardware acceleration.
const KVMDevicePath = "/dev/kvm"

// KVMUsable says whether dev can be opened read-write, and why not: "<path>
// not present", "<path> not accessible" or "<path> accessible". Accessible
// is no proof that a guest boots (PVM): the QEMU driver's probe tests that.
func KVMUsable(dev protocol.KVMDevice) (bool, string) {
	switch {
	case !dev.Exists:
		return false, dev.Path + " not present"
	case !dev.Readable || !dev.Writable:
		return false, dev.Path + " not accessible"
	}
	return true, dev.Path + " accessible"
}
