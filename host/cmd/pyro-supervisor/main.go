// Command pyro-supervisor runs one microVM for pyro (DESIGN.md "Supervisor").
// Core starts it detached as `pyro-supervisor <run/sv-config.json>` with
// stderr on logs/sv.log. Its first stdout line is the launch verdict,
// `ok <pid>` once the API socket listens or `error <json {code,message}>`;
// after that it only logs. It exits once the VM has ended and its final
// state is recorded.
//
// Two tool subcommands print what the VMM drivers would do, as text or, with
// -json, one JSON object (protocol.ProbeReport, protocol.VMMCommand) that
// core reads; a third splits a saved QEMU state into a RAM image and a
// devices-only state (a fork's, splitstate.go):
//
//	pyro-supervisor probe [-vmm auto|qemu|firecracker] [-qemu BIN] [-kernel PATH] [-cache FILE] [-json]
//	pyro-supervisor argv [-json] <sv-config.json | ->
//	pyro-supervisor split-state [-json] [-block mem] -memory FILE -state FILE <saved state>
//
// probe: every driver's binary, version, availability and why, kvm or tcg
// and why (a KVM boot test of -kernel, cached in -cache), capabilities and
// execution mode. argv: the exact VMM command line the driver would run for
// a launch config (the same file the supervisor is started with).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pyro-mcp/pyro/host/internal/logging"
	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/supervisor"
	"github.com/pyro-mcp/pyro/host/internal/trace"
	"github.com/pyro-mcp/pyro/host/internal/vmm"
	"github.com/pyro-mcp/pyro/host/internal/vmm/drivers"
)

func main() {
	if len(os.Args) >= 2 {
		switch os.Args[1] {
		case "probe":
			os.Exit(probe(os.Args[2:], os.Stdout, os.Stderr))
		case "argv":
			os.Exit(argv(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
		case "split-state":
			os.Exit(splitState(os.Args[2:], os.Stdout, os.Stderr))
		}
	}
	if len(os.Args) != 2 {
		report(protocol.Errorf(protocol.ErrInvalidArgument, "usage: pyro-supervisor <sv-config.json> | probe [flags] | argv [flags] <sv-config.json|-> | split-state [flags] <saved state>"))
		os.Exit(2)
	}
	trace.Mark("supervisor_start")
	sv, err := launch(os.Args[1])
	if err != nil {
		report(err)
		os.Exit(1) // a VMM already spawned dies with us (Pdeathsig)
	}
	fmt.Printf("ok %d\n", os.Getpid())
	detachStdout()
	sv.Run()
}

// launch runs the phases up to a listening socket: config, log, driver, VMM
// spawn (first, so the guest boots while the rest starts), API socket.
func launch(configPath string) (*supervisor.Supervisor, error) {
	cfg, err := protocol.LoadConfig(configPath)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	restrictUmask() // sockets, state and QEMU's files: owner only
	log, _, err := logging.Open(cfg.LogPath, cfg.VM.VMID)
	if err != nil {
		return nil, fmt.Errorf("log: %w", err)
	}
	driver, err := drivers.New(cfg.VMM, cfg.QEMUBinary, log)
	if err != nil {
		return nil, fmt.Errorf("driver: %w", err)
	}
	sv := supervisor.New(cfg, driver, log)
	if err := sv.Start(context.Background()); err != nil {
		log.Error("start_failed", "error", err.Error())
		return nil, err
	}
	if err := sv.Listen(); err != nil {
		log.Error("listen_failed", "error", err.Error())
		return nil, fmt.Errorf("api socket: %w", err)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	signal.Ignore(syscall.SIGHUP)
	go func() {
		for sig := range signals {
			sv.Terminate(sig.String())
		}
	}()
	return sv, nil
}

// report prints the launch failure line: `error {"code","message"}`.
func report(err error) {
	var line strings.Builder
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(protocol.ErrorBody{Code: errorCode(err), Message: err.Error()})
	fmt.Printf("error %s", line.String()) // Encode ends the line
}

// errorCode is the protocol code of a launch or tool failure: vmm_unavailable,
// invalid_argument, a CodedError's own code, else vmm_failed.
func errorCode(err error) string {
	var ce *protocol.CodedError
	var ue *vmm.UnavailableError
	switch {
	case errors.As(err, &ue):
		return protocol.CodeVMMUnavailable
	case errors.Is(err, protocol.ErrBadConfig), errors.Is(err, protocol.ErrInvalidArgument):
		return "invalid_argument"
	case errors.As(err, &ce):
		return ce.Code
	}
	return "vmm_failed"
}

// printError reports a tool subcommand's failure: `{"error":{code,message}}`
// on stdout with -json (the caller parses stdout), else a line on stderr.
func printError(stdout, stderr io.Writer, asJSON bool, err error) {
	if asJSON {
		writeJSON(stdout, protocol.ErrorResponse{Error: protocol.ErrorBody{Code: errorCode(err), Message: err.Error()}})
		return
	}
	fmt.Fprintf(stderr, "pyro-supervisor: %s\n", err)
}

// writeJSON prints v as one line of JSON (HTML characters unescaped: paths
// and argv may hold & or <).
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
