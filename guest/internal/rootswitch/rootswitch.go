// Package rootswitch is PID 1's first stage when the kernel started it from
// pyro's initramfs: load the kernel modules the initramfs carries (virtio
// transports and drivers are modules in Debian's kernels), mount the root
// disk and make it "/", then hand over to the agent proper.
//
// Running the agent from the initramfs means every boot runs the host's
// current agent, whatever the guest did to its own disk.
package rootswitch

import (
	"strings"
)

// ModulesDir holds the initramfs's modules, named NN-name.ko and loaded in
// lexical order (the host's build sorts them by dependency). Modules in a
// subdirectory form an optional group (net, vsock) loaded only when the
// kernel command line names it in pyro.modules=.
const ModulesDir = "/lib/modules/pyro"

// newRoot is where the root disk is mounted before it becomes "/".
const newRoot = "/newroot"

// RootSpec says which disk becomes "/" and which optional module groups to
// load (from the kernel command line).
type RootSpec struct {
	Device   string   // root=, default /dev/vda
	FSType   string   // rootfstype=, default ext4
	ReadOnly bool     // "ro" present (default read-write)
	Groups   []string // pyro.modules=net,vsock
}

// ParseCmdline reads root=, rootfstype= and ro/rw from a kernel command line.
func ParseCmdline(cmdline string) RootSpec {
	spec := RootSpec{Device: "/dev/vda", FSType: "ext4"}
	for _, word := range strings.Fields(cmdline) {
		switch {
		case strings.HasPrefix(word, "root="):
			if v := strings.TrimPrefix(word, "root="); strings.HasPrefix(v, "/dev/") {
				spec.Device = v
			}
		case strings.HasPrefix(word, "rootfstype="):
			spec.FSType = strings.TrimPrefix(word, "rootfstype=")
		case strings.HasPrefix(word, "pyro.modules="):
			for _, g := range strings.Split(strings.TrimPrefix(word, "pyro.modules="), ",") {
				if g != "" && !strings.ContainsAny(g, "/.") {
					spec.Groups = append(spec.Groups, g)
				}
			}
		case word == "ro":
			spec.ReadOnly = true
		case word == "rw":
			spec.ReadOnly = false
		}
	}
	return spec
}
