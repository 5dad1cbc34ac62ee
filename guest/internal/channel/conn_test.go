package channel

import (
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// Closing a session on the shared port must interrupt its blocked reader
// and leave the fd usable, so the next session gets the next bytes.
func TestSharedConnCloseHandsOverFd(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()

	old := &fileConn{f: r, prefix: []byte("p"), shared: true}
	buf := make([]byte, 8)
	if n, err := old.Read(buf); err != nil || string(buf[:n]) != "p" {
		t.Fatalf("prefix read %q, %v", buf[:n], err)
	}
	blocked := make(chan error, 1)
	go func() {
		_, err := old.Read(buf)
		blocked <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the read block
	if err := old.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case err := <-blocked:
		if err == nil {
			t.Fatal("interrupted read returned data")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not interrupt the blocked read")
	}
	if _, err := old.Read(buf); err == nil {
		t.Error("read after Close succeeded")
	}

	if _, err := w.WriteString("next"); err != nil {
		t.Fatal(err)
	}
	next := &fileConn{f: r, shared: true}
	n, err := io.ReadAtLeast(next, buf, 4)
	if err != nil || string(buf[:n]) != "next" {
		t.Errorf("next session read %q, %v", buf[:n], err)
	}
}

func TestUnsharedConnClosesFd(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := &fileConn{f: r}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]byte, 1)); err == nil {
		t.Error("fd still open")
	}
}

// Sessions follow one another on the same fd; EOF between them backs off.
func TestServeSessionsReusesFd(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString("one"); err != nil {
		t.Fatal(err)
	}
	var sessions []string
	serve := func(c net.Conn) {
		buf := make([]byte, 3)
		n, err := io.ReadFull(c, buf)
		sessions = append(sessions, string(buf[:n]))
		if len(sessions) == 1 {
			if err != nil {
				t.Errorf("session read: %v", err)
			}
			w.Close() // the host goes away: the session reads EOF
			_, _ = io.ReadFull(c, buf)
		}
	}
	var sleeps []time.Duration
	sleep := func(d time.Duration) {
		sleeps = append(sleeps, d)
		r.Close() // end the test: the next read fails for real
	}
	if err := serveSessions(r, serve, sleep); err == nil {
		t.Fatal("want the read error that ended the loop")
	}
	if strings.Join(sessions, ",") != "one" || len(sleeps) != 1 || sleeps[0] != minBackoff {
		t.Errorf("sessions %q sleeps %v", sessions, sleeps)
	}
}

// A session that ends while its host is still there (a protocol error) does
// not hand that host's later bytes to the next session as its start: they
// are dropped until the host leaves.
func TestServeSessionsDropsTheLeftoversOfABrokenSession(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString("bad"); err != nil {
		t.Fatal(err)
	}
	var sessions []string
	serve := func(c net.Conn) {
		buf := make([]byte, 3)
		_, _ = io.ReadFull(c, buf)
		sessions = append(sessions, string(buf))
		// The session gives up; its host still sends the rest, then leaves.
		go func() {
			_, _ = w.WriteString("rest of the broken session")
			w.Close()
		}()
	}
	sleep := func(time.Duration) { r.Close() }
	if err := serveSessions(r, serve, sleep); err == nil {
		t.Fatal("want the read error that ended the loop")
	}
	if strings.Join(sessions, ",") != "bad" {
		t.Errorf("sessions %q: leftovers started a session", sessions)
	}
}
