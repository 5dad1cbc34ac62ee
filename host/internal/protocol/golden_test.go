package protocol

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// goldenDir holds the API's JSON shapes (protocol/supervisor at the
// repository root); test/unit/supervisor/protocol-golden.test.ts reads the
// same files through the TypeScript client, so a renamed field breaks both
// sides at once. host/internal/api's TestErrorCodesGolden checks
// error_codes.json against the codes the API answers with.
const goldenDir = "../../../protocol/supervisor"

// TestGolden decodes every golden file into its Go type (unknown fields
// refused), encodes it again and expects the same JSON.
func TestGolden(t *testing.T) {
	tests := []struct {
		file string
		v    any
	}{
		{"state_ready.json", &State{}},
		{"state_booting.json", &State{}},
		{"state_crashed.json", &State{}},
		{"state_exited.json", &State{}},
		{"shutdown_request.json", &ShutdownRequest{}},
		{"shutdown_request_kill.json", &ShutdownRequest{}},
		{"publish_request.json", &PublishRequest{}},
		{"published_port.json", &PublishedPort{}},
		{"ports_response.json", &PortsResponse{}},
		{"closed_response.json", &ClosedResponse{}},
		{"error_vm_not_running.json", &ErrorResponse{}},
		{"error_guest_unreachable.json", &ErrorResponse{}},
		{"error_port_in_use.json", &ErrorResponse{}},
		{"error_no_route.json", &ErrorResponse{}},
		{"error_codes.json", &struct {
			Codes []struct {
				Code   string `json:"code"`
				Status int    `json:"status"`
			} `json:"codes"`
		}{}},
		{"ready_failure.json", &ReadyFailure{}},
		{"exec_error_trailer.json", &ErrorBody{}},
		{"sv_config.json", &Config{}},
		{"sv_config_oneshot.json", &Config{}},
		{"probe_report.json", &ProbeReport{}},
		{"vmm_command.json", &VMMCommand{}},
	}
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if len(files) != len(tests) {
		t.Errorf("%d golden files, %d tests: keep them in step", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(goldenDir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(tt.v); err != nil {
				t.Fatalf("decode: %v", err)
			}
			again, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			_ = json.Unmarshal(raw, &want)
			_ = json.Unmarshal(again, &got)
			if !reflect.DeepEqual(want, got) {
				t.Errorf("round trip differs:\n got %s\nwant %s", again, raw)
			}
		})
	}
}

func TestConfigGoldenPassesValidation(t *testing.T) {
	for _, f := range []string{"sv_config.json", "sv_config_oneshot.json"} {
		if _, err := LoadConfig(filepath.Join(goldenDir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
