//go:build !linux

// Command ready-init only exists for Linux guests.
package main

func main() { panic("ready-init: Linux only") }
