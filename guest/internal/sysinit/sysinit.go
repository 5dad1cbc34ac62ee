// Package sysinit does what an init system would: mount the API
// filesystems, name the host and set up PID 1's own environment.
package sysinit

import "os"

// Hostname is the guest's host name.
const Hostname = "pyro"

// agentEnv is PID 1's own environment (the kernel passes almost nothing).
// Commands get theirs from execproc.BaseEnv, not from here.
var agentEnv = map[string]string{
	"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME": "/root",
	"LANG": "C.UTF-8",
}

// SetEnv sets the agent's own environment.
func SetEnv() error {
	for k, v := range agentEnv {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}
