package api

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/tcptest"
)

func openPortStream(ctx context.Context, t *testing.T, c *http.Client, port string, body io.Reader) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "POST", "http://pyro/v1/ports/"+port+"/stream", body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Full duplex: each line comes back before the next is sent; the end of
// the request body half-closes the connection and the server's close
// ends the response cleanly.
func TestPortStream(t *testing.T) {
	port, ended := tcptest.EchoServer(t)
	c := newClient(t, testServer(t))
	in, inW := io.Pipe()
	resp := openPortStream(context.Background(), t, c, fmt.Sprint(port), in)
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("content-type") != "application/octet-stream" {
		t.Fatalf("status %d %q", resp.StatusCode, resp.Header.Get("content-type"))
	}
	buf := make([]byte, 64)
	for _, line := range []string{"ping\n", "pong\n"} {
		go io.WriteString(inW, line)
		if _, err := io.ReadFull(resp.Body, buf[:len(line)]); err != nil || string(buf[:len(line)]) != line {
			t.Fatalf("echo of %q: %q, %v", line, buf[:len(line)], err)
		}
	}
	inW.Close()
	if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
		t.Errorf("end of stream: %q, %v", rest, err)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Error("server connection still open")
	}
}

// Cancelling the stream closes the guest-side connection. (The Go client
// sends RST_STREAM when the response body is closed; cancelling the
// context alone waits for the request body.)
func TestPortStreamCancel(t *testing.T) {
	port, ended := tcptest.EchoServer(t)
	c := newClient(t, testServer(t))
	ctx, cancel := context.WithCancel(context.Background())
	in, inW := io.Pipe()
	defer inW.Close()
	resp := openPortStream(ctx, t, c, fmt.Sprint(port), in)
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("server connection not closed after cancel")
	}
}

func TestPortStreamRefused(t *testing.T) {
	_, port, _ := net.SplitHostPort(freeAddr(t))
	c := newClient(t, testServer(t))
	resp := openPortStream(context.Background(), t, c, port, strings.NewReader("x"))
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	want := fmt.Sprintf(`{"error":{"code":"connection_refused","message":"connection refused: dial tcp 127.0.0.1:%s: connect: connection refused"}}`, port)
	if resp.StatusCode != 502 || strings.TrimSpace(string(b)) != want {
		t.Errorf("got %d %s, want 502 %s", resp.StatusCode, b, want)
	}
	for _, p := range []string{"0", "65536", "-1", "http", "80x"} {
		wantError(t, c, "POST", "/v1/ports/"+p+"/stream", nil, 400, "invalid_argument")
	}
}

// A server that closes first ends the response cleanly, though the host
// has not finished its request body.
func TestPortStreamServerClosesFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			io.WriteString(c, "bye\n")
			c.Close()
		}
	}()
	c := newClient(t, testServer(t))
	in, inW := io.Pipe()
	defer inW.Close()
	resp := openPortStream(context.Background(), t, c, fmt.Sprint(ln.Addr().(*net.TCPAddr).Port), in)
	defer resp.Body.Close()
	if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "bye\n" {
		t.Errorf("got %q, %v", b, err)
	}
}
