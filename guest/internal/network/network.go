// Package network brings up the guest's loopback interface, so servers a
// command starts on 127.0.0.1 are reachable from other commands.
package network
