//go:build !linux

package vmm

import "github.com/pyro-mcp/pyro/host/internal/protocol"

// CheckKVM reports no KVM device: VMs run on Linux only.
func CheckKVM(path string) protocol.KVMDevice { return protocol.KVMDevice{Path: path} }
