package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm/qemu/migstate"
)

// splitState splits a saved QEMU VM state that carries its RAM into a RAM
// image (-memory) and a devices-only state (-state), as migstate.Split does:
// the pair a fork's VM restores from, mapping the image copy-on-write
// (core's fork). Both outputs are new files (0600, never overwritten); on an
// error neither is left. Prints the migstate.Result as JSON with -json.
// Exit status 0; 1 when the state cannot be split (code "unsupported" for a
// stream migstate does not handle, the caller then keeps the whole state);
// 2 for bad flags.
func splitState(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("split-state", flag.ContinueOnError)
	fs.SetOutput(stderr)
	memoryPath := fs.String("memory", "", "the RAM image to write")
	statePath := fs.String("state", "", "the devices-only state to write")
	block := fs.String("block", "mem", "the RAM block name in the devices-only state (the memory backend's id)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || *memoryPath == "" || *statePath == "" {
		printError(stdout, stderr, *asJSON, protocol.Errorf(protocol.ErrInvalidArgument, "usage: pyro-supervisor split-state [-json] -memory FILE -state FILE <saved state>"))
		return 2
	}
	result, err := splitFiles(fs.Arg(0), *statePath, *memoryPath, migstate.Options{MemoryBlock: *block})
	if err != nil {
		if errors.Is(err, migstate.ErrUnsupported) {
			err = &protocol.CodedError{Code: "unsupported", Message: err.Error()}
		}
		printError(stdout, stderr, *asJSON, err)
		return 1
	}
	if *asJSON {
		writeJSON(stdout, result)
	} else {
		fmt.Fprintf(stdout, "RAM image %d bytes (%d pages written), devices state %d bytes\n", result.MemoryBytes, result.PagesWritten, result.StateBytes)
	}
	return 0
}

// splitFiles runs migstate.Split from the file in to two new files; on an
// error both are removed.
func splitFiles(in, statePath, memoryPath string, opts migstate.Options) (result migstate.Result, err error) {
	src, err := os.Open(in)
	if err != nil {
		return result, err
	}
	defer src.Close()
	state, err := os.OpenFile(statePath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return result, err
	}
	memory, err := os.OpenFile(memoryPath, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		_ = state.Close()
		_ = os.Remove(statePath)
		return result, err
	}
	defer func() {
		err = errors.Join(err, state.Close(), memory.Close())
		if err != nil {
			_ = os.Remove(statePath)
			_ = os.Remove(memoryPath)
		}
	}()
	return migstate.Split(src, state, memory, opts)
}
