package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// send sends body (nil; a string sent raw; anything else as JSON) and
// returns the status and the raw answer.
func send(t *testing.T, c *http.Client, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = strings.NewReader(string(j))
	}
	resp, data := roundTrip(t, c, method, "http://pyro"+path, r)
	return resp.StatusCode, data
}

// roundTrip sends one request through the HTTP/2 client and returns the
// response with its body read.
func roundTrip(t *testing.T, c *http.Client, method, url string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp, data
}

// callOK is send that insists on 200 and decodes the answer into out.
func callOK(t *testing.T, c *http.Client, method, path string, body, out any) {
	t.Helper()
	status, data := send(t, c, method, path, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

// wantError checks a non-2xx answer's status and error code.
func wantError(t *testing.T, c *http.Client, method, path string, body any, status int, code string) {
	t.Helper()
	got, data := send(t, c, method, path, body)
	var e ErrorResponse
	if err := json.Unmarshal(data, &e); err != nil || got != status || e.Error.Code != code {
		t.Errorf("%s %s: got %d %s, want %d %s", method, path, got, data, status, code)
	}
}

// eventually polls cond (a test may poll; the agent must not) until it
// holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func procExists(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z'
}

func procComm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}
