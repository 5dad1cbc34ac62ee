package api

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/identity"
)

func postIdentity(t *testing.T, c *http.Client, body string) (int, string) {
	t.Helper()
	res, err := c.Post("http://pyro/v1/identity", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestIdentityAppliesAValidRequest(t *testing.T) {
	s := testServer(t)
	var got []identity.Request
	s.SetIdentity = func(r identity.Request) error { got = append(got, r); return nil }
	c := newClient(t, s)
	entropy := base64.StdEncoding.EncodeToString(make([]byte, 64))
	now := time.Now()
	body := fmt.Sprintf(`{"wall_clock_ns":%d,"entropy":%q,"hostname":"vm-0123456789ab","machine_id":"%s",
		"network":{"mac":"52:54:00:12:34:56","config":"172.29.0.2/30,172.29.0.1,9.9.9.9"}}`, now.UnixNano(), entropy, strings.Repeat("0f", 16))
	if status, answer := postIdentity(t, c, body); status != 200 || strings.TrimSpace(answer) != `{"ok":true}` {
		t.Fatalf("answered %d %s", status, answer)
	}
	if len(got) != 1 {
		t.Fatalf("applied %d times", len(got))
	}
	r := got[0]
	if !r.WallClock.Equal(time.Unix(0, now.UnixNano())) || len(r.Entropy) != 64 || r.Hostname != "vm-0123456789ab" ||
		r.Network == nil || r.Network.MAC.String() != "52:54:00:12:34:56" || r.Network.Config.Addr.String() != "172.29.0.2/30" ||
		len(r.Network.Config.DNS) != 1 {
		t.Fatalf("request %+v", r)
	}
}

func TestIdentityRefusesBadRequests(t *testing.T) {
	entropy := base64.StdEncoding.EncodeToString(make([]byte, 64))
	short := base64.StdEncoding.EncodeToString(make([]byte, 8))
	id := strings.Repeat("0f", 16)
	clock := time.Now().UnixNano()
	tests := map[string]string{
		"no clock":           fmt.Sprintf(`{"entropy":%q,"hostname":"vm-1","machine_id":%q}`, entropy, id),
		"too little entropy": fmt.Sprintf(`{"wall_clock_ns":%d,"entropy":%q,"hostname":"vm-1","machine_id":%q}`, clock, short, id),
		"bad host name":      fmt.Sprintf(`{"wall_clock_ns":%d,"entropy":%q,"hostname":"vm_1","machine_id":%q}`, clock, entropy, id),
		"bad machine id":     fmt.Sprintf(`{"wall_clock_ns":%d,"entropy":%q,"hostname":"vm-1","machine_id":"XYZ"}`, clock, entropy),
		"bad MAC":            fmt.Sprintf(`{"wall_clock_ns":%d,"entropy":%q,"hostname":"vm-1","machine_id":%q,"network":{"mac":"nope","config":"10.0.0.2/30,10.0.0.1"}}`, clock, entropy, id),
		"bad address":        fmt.Sprintf(`{"wall_clock_ns":%d,"entropy":%q,"hostname":"vm-1","machine_id":%q,"network":{"mac":"52:54:00:12:34:56","config":"x"}}`, clock, entropy, id),
		"unknown field":      fmt.Sprintf(`{"wall_clock_ns":%d,"entropy":%q,"hostname":"vm-1","machine_id":%q,"extra":1}`, clock, entropy, id),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			s := testServer(t)
			s.SetIdentity = func(identity.Request) error { t.Error("applied"); return nil }
			if status, answer := postIdentity(t, newClient(t, s), body); status != 400 || !strings.Contains(answer, "invalid_argument") {
				t.Fatalf("answered %d %s", status, answer)
			}
		})
	}
}
