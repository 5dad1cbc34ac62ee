package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pyro-mcp/pyro/host/internal/vmm"
	"github.com/pyro-mcp/pyro/host/internal/vmm/drivers"
)

// probeTimeout bounds a whole probe, KVM boot included.
const probeTimeout = 20 * time.Second

// probe prints the chosen driver's probe as one JSON object; exit status 0,
// or 1 with `{"error":{code,message}}` when the VMM is unavailable.
func probe(args []string) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	name := fs.String("vmm", "auto", "driver: auto, qemu or firecracker")
	qemu := fs.String("qemu", "", "QEMU binary (default qemu-system-x86_64 on PATH)")
	kernel := fs.String("kernel", "", "guest kernel to boot under KVM to check it works ('' = only check /dev/kvm)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	d, err := drivers.New(*name, *qemu, nil)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		var p vmm.Probe
		if p, err = d.Probe(ctx, *kernel); err == nil {
			_ = json.NewEncoder(os.Stdout).Encode(p)
			return 0
		}
	}
	code := "invalid_argument"
	var ue *vmm.UnavailableError
	if errors.As(err, &ue) {
		code = "vmm_unavailable"
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": err.Error()}})
	fmt.Println(string(b))
	return 1
}
