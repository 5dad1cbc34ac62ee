// Command pyro-supervisor runs one microVM for pyro (DESIGN.md "Supervisor").
// Core starts it detached as `pyro-supervisor <run/sv-config.json>` with
// stderr on logs/sv.log. Its first stdout line is the launch verdict,
// `ok <pid>` once the API socket listens or `error <json {code,message}>`;
// after that it only logs. It exits once the VM has ended and its final
// state is recorded.
//
// `pyro-supervisor probe [-vmm qemu] [-qemu BIN] [-kernel PATH]` prints the
// driver's probe (binary, version, kvm or tcg and why) as JSON.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	if len(os.Args) >= 2 && os.Args[1] == "probe" {
		os.Exit(probe(os.Args[2:]))
	}
	if len(os.Args) != 2 {
		report(protocol.Errorf(protocol.ErrInvalidArgument, "usage: pyro-supervisor <sv-config.json> | probe [flags]"))
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
	code := "vmm_failed"
	var ce *protocol.CodedError
	var ue *vmm.UnavailableError
	switch {
	case errors.As(err, &ue):
		code = protocol.CodeVMMUnavailable
	case errors.Is(err, protocol.ErrBadConfig), errors.Is(err, protocol.ErrInvalidArgument):
		code = "invalid_argument"
	case errors.As(err, &ce):
		code = ce.Code
	}
	var line strings.Builder
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(protocol.ErrorBody{Code: code, Message: err.Error()})
	fmt.Printf("error %s", line.String()) // Encode ends the line
}
