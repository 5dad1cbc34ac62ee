//go:build !linux

package main

func restrictUmask() {}

func detachStdout() {}
