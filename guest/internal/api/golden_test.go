package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenDir holds the protocol's JSON, one file per request, answer and
// event (protocol/guest at the repository root). The host's tests read the
// same files: test/unit/agent/protocol-golden.test.ts runs each through the
// TypeScript client's checks, host/internal/agent reads info.json. So a
// field renamed on one side fails a test on the other.
const goldenDir = "../../../protocol/guest"

// errorCodeList is error_codes.json: every code the agent answers with and
// its HTTP status. The host maps each of them (src/errors.ts).
type errorCodeList struct {
	Codes []struct {
		Code   string `json:"code"`
		Status int    `json:"status"`
	} `json:"codes"`
}

// TestGolden pins the JSON shape of every wire type: each file decodes into
// its type (unknown fields refused) and encodes back to the same bytes.
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
		{"error_no_route.json", &ErrorResponse{}},
		{"error_not_found.json", &ErrorResponse{}},
		{"error_codes.json", &errorCodeList{}},
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
		{"shell_list.json", &ShellList{}},
		{"shell_output.json", &ShellOutput{}},
		{"shell_input_result.json", &ShellInputResult{}},
		{"shell_signal_request.json", &ShellSignalRequest{}},
		{"shell_signal_result.json", &ShellSignalResult{}},
		{"shell_resize_request.json", &ShellResizeRequest{}},
		{"service_start_request.json", &ServiceStartRequest{}},
		{"service_record.json", &ServiceRecord{}},
		{"service_record_failed.json", &ServiceRecord{}},
		{"service_list.json", &ServiceList{}},
		{"service_logs.json", &ServiceLogs{}},
		{"service_stop_request.json", &ServiceStopRequest{}},
		{"secrets_request.json", &SecretsRequest{}},
		{"secrets_result.json", &SecretsResult{}},
		{"limits_request.json", &LimitsRequest{}},
		{"limits_record.json", &LimitsRecord{}},
	}
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if len(files) != len(tests) {
		t.Errorf("%d golden files, %d tests: keep them in step", len(files), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(goldenDir, tt.file))
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

// TestErrorCodesGolden keeps error_codes.json equal to errorCodes (plus
// internal), in order, so a code added, renamed or dropped in the agent
// fails here until the file, and with it the host's mapping, is updated.
func TestErrorCodesGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(goldenDir, "error_codes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list errorCodeList
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, row := range errorCodes {
		want = append(want, fmt.Sprintf("%s %d", row.code, row.status))
	}
	want = append(want, fmt.Sprintf("%s %d", codeInternal, http.StatusInternalServerError))
	var got []string
	for _, c := range list.Codes {
		got = append(got, fmt.Sprintf("%s %d", c.Code, c.Status))
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("error_codes.json lists\n  %s\nthe agent answers\n  %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
}

// TestExecEventsGolden reads exec_events.ndjson, a whole exec answer, line
// by line as the events the agent sends.
func TestExecEventsGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(goldenDir, "exec_events.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var head struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal([]byte(line), &head)
		var ev any
		switch head.Type {
		case "started":
			ev = &StartedEvent{}
		case "stdout", "stderr":
			ev = &OutputEvent{}
		case "exit":
			ev = &ExitEvent{}
		default:
			t.Fatalf("unknown event %s", line)
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(ev); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if got, _ := json.Marshal(ev); string(got) != line {
			t.Errorf("round trip\n got %s\nwant %s", got, line)
		}
	}
}
