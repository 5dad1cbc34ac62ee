package qmp

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"testing"
	"time"
)

// fakeQEMU answers like QEMU does: greeting, then one answer per command;
// "quit" sends a SHUTDOWN event and hangs up.
func fakeQEMU(t *testing.T, conn net.Conn) {
	t.Helper()
	go func() {
		defer conn.Close()
		enc := json.NewEncoder(conn)
		_ = enc.Encode(map[string]any{"QMP": map[string]any{"version": map[string]any{}, "capabilities": []string{"oob"}}})
		dec := json.NewDecoder(conn)
		for {
			var cmd struct {
				Execute string `json:"execute"`
				ID      any    `json:"id"`
			}
			if dec.Decode(&cmd) != nil {
				return
			}
			switch cmd.Execute {
			case "qmp_capabilities":
				_ = enc.Encode(map[string]any{"return": map[string]any{}, "id": cmd.ID})
			case "query-status":
				_ = enc.Encode(map[string]any{"event": "RESUME", "data": map[string]any{}})
				_ = enc.Encode(map[string]any{"return": map[string]any{"status": "running", "running": true, "singlestep": false}, "id": cmd.ID})
			case "quit":
				_ = enc.Encode(map[string]any{"return": map[string]any{}, "id": cmd.ID})
				_ = enc.Encode(map[string]any{"event": "SHUTDOWN", "data": map[string]any{"guest": false, "reason": "host-qmp-quit"}})
				return
			default:
				_ = enc.Encode(map[string]any{"error": map[string]any{"class": "CommandNotFound", "desc": "The command " + cmd.Execute + " has not been found"}, "id": cmd.ID})
			}
		}
	}()
}

func TestClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, b := net.Pipe()
	fakeQEMU(t, b)
	events := make(chan Event, 8)
	c, err := New(ctx, a, func(e Event) { events <- e })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		run     func() error
		wantErr func(error) bool
	}{
		{"query-status decodes the answer", func() error {
			s, err := c.QueryStatus(ctx)
			if err == nil && (s.Status != "running" || !s.Running) {
				t.Errorf("status = %+v", s)
			}
			return err
		}, nil},
		{"an error answer is *Error", func() error { return c.Execute(ctx, "nope", nil, nil) }, func(err error) bool {
			var qe *Error
			return errors.As(err, &qe) && qe.Class == "CommandNotFound"
		}},
		{"quit answers, then the connection ends", func() error { return c.Execute(ctx, "quit", nil, nil) }, nil},
		{"commands after the end fail with ErrClosed", func() error {
			<-c.Done()
			return c.Execute(ctx, "query-status", nil, nil)
		}, func(err error) bool { return errors.Is(err, ErrClosed) }},
	}
	for _, tt := range tests {
		err := tt.run()
		if tt.wantErr == nil && err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		if tt.wantErr != nil && !tt.wantErr(err) {
			t.Errorf("%s: unexpected error %v", tt.name, err)
		}
	}
	var names []string
	for len(events) > 0 {
		names = append(names, (<-events).Name)
	}
	if len(names) != 2 || names[0] != "RESUME" || names[1] != "SHUTDOWN" {
		t.Errorf("events = %v, want [RESUME SHUTDOWN]", names)
	}
}

func TestNewRefusesANonQMPPeer(t *testing.T) {
	a, b := net.Pipe()
	go func() {
		_, _ = b.Write([]byte(`{"hello":1}` + "\n"))
		b.Close()
	}()
	if _, err := New(context.Background(), a, nil); err == nil {
		t.Fatal("want an error for a peer without a QMP greeting")
	}
}
