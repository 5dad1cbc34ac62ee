// Package sysinfo reads facts about the running guest kernel.
package sysinfo
