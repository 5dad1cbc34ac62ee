package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
	"github.com/pyro-mcp/pyro/host/internal/vmm/drivers"
)

// argv prints the VMM command the config's driver would run for its VM:
// as a shell line (variables, binary, quoted argv) and the kernel command
// line, or one JSON protocol.VMMCommand with -json. The config is a launch
// config (run/sv-config.json), checked as at launch; "-" reads stdin.
// Exit status 0, 1 when the config is refused or the VMM unavailable, 2 for
// bad flags.
func argv(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("argv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		printError(stdout, stderr, *asJSON, protocol.Errorf(protocol.ErrInvalidArgument, "usage: pyro-supervisor argv [-json] <sv-config.json | ->"))
		return 2
	}
	cmd, err := vmmCommand(fs.Arg(0), stdin)
	if err != nil {
		printError(stdout, stderr, *asJSON, err)
		return 1
	}
	if *asJSON {
		writeJSON(stdout, cmd)
	} else {
		fmt.Fprint(stdout, formatCommand(cmd))
	}
	return 0
}

// vmmCommand loads the launch config at path ("-" = stdin) and asks its
// driver for the command. Errors: protocol.ErrBadConfig, the read error,
// *vmm.UnavailableError.
func vmmCommand(path string, stdin io.Reader) (protocol.VMMCommand, error) {
	var raw []byte
	var err error
	if path == "-" {
		raw, err = io.ReadAll(stdin)
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return protocol.VMMCommand{}, fmt.Errorf("read %s: %w", path, err)
	}
	cfg, err := protocol.ParseConfig(raw)
	if err != nil {
		return protocol.VMMCommand{}, err
	}
	d, err := drivers.New(cfg.VMM, cfg.QEMUBinary, nil)
	if err != nil {
		return protocol.VMMCommand{}, err
	}
	return d.Command(cfg.VM)
}

// formatCommand is c as a line a shell runs as-is (from c.Dir), then the
// kernel command line as a comment.
func formatCommand(c protocol.VMMCommand) string {
	var words []string
	for _, k := range slices.Sorted(maps.Keys(c.Env)) {
		words = append(words, k+"="+shellQuote(c.Env[k]))
	}
	words = append(words, shellQuote(c.Binary))
	for _, a := range c.Args {
		words = append(words, shellQuote(a))
	}
	return fmt.Sprintf("cd %s && %s\n# kernel command line: %s\n", shellQuote(c.Dir), strings.Join(words, " "), c.KernelCmdline)
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
