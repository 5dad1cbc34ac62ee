package api

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolden pins the JSON shape of every wire type. The same files are
// read by the host's tests, so a renamed field breaks both sides at once.
func TestGolden(t *testing.T) {
	tests := []struct {
		file string
		v    any
	}{
		{"info.json", &InfoResponse{}},
		{"health.json", &HealthResponse{}},
		{"ok.json", &OKResponse{}},
		{"error.json", &ErrorResponse{}},
		{"error_secret_not_found.json", &ErrorResponse{}},
		{"error_connection_refused.json", &ErrorResponse{}},
		{"exec_request.json", &ExecRequest{}},
		{"exec_request_minimal.json", &ExecRequest{}},
		{"exec_started.json", &StartedEvent{}},
		{"exec_stdout.json", &OutputEvent{}},
		{"exec_stderr_b64.json", &OutputEvent{}},
		{"exec_exit.json", &ExitEvent{}},
		{"files_tar_result.json", &FilesTarResult{}},
		{"files_list.json", &FilesListResponse{}},
		{"files_write_result.json", &FilesWriteResult{}},
		{"files_remove.json", &FilesRemoveResult{}},
		{"shell_open_request.json", &ShellOpenRequest{}},
		{"shell_record.json", &ShellRecord{}},
		{"shell_record_exited.json", &ShellRecord{}},
		{"shell_output.json", &ShellOutput{}},
		{"shell_input_result.json", &ShellInputResult{}},
		{"shell_signal_request.json", &ShellSignalRequest{}},
		{"shell_signal_result.json", &ShellSignalResult{}},
		{"shell_resize_request.json", &ShellResizeRequest{}},
		{"service_start_request.json", &ServiceStartRequest{}},
		{"service_record.json", &ServiceRecord{}},
		{"service_record_failed.json", &ServiceRecord{}},
		{"service_logs.json", &ServiceLogs{}},
		{"service_stop_request.json", &ServiceStopRequest{}},
		{"secrets_request.json", &SecretsRequest{}},
		{"secrets_result.json", &SecretsResult{}},
		{"limits_request.json", &LimitsRequest{}},
		{"limits_record.json", &LimitsRecord{}},
	}
	files, _ := filepath.Glob("testdata/golden/*.json")
	if len(files) != len(tests) {
		t.Errorf("%d golden files, %d tests: keep them in step", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata/golden", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(want))
			dec.DisallowUnknownFields()
			if err := dec.Decode(tt.v); err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != strings.TrimSpace(string(want)) {
				t.Errorf("round trip\n got %s\nwant %s", got, want)
			}
		})
	}
}
