package idle

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		expiresAt time.Time
		inFlight  int
		want      Action
	}{
		{"deadline passed, idle", now.Add(-time.Second), 0, Expire},
		{"deadline now, idle", now, 0, Expire},
		{"timer a little early is still on time", now.Add(500 * time.Millisecond), 0, Expire},
		{"deadline moved by activity", now.Add(30 * time.Second), 0, Rearm},
		{"deadline moved, busy", now.Add(30 * time.Second), 2, Rearm},
		{"deadline passed while a command runs", now.Add(-time.Second), 1, Extend},
	}
	for _, tt := range tests {
		if got := Decide(now, tt.expiresAt, tt.inFlight); got != tt.want {
			t.Errorf("%s: Decide = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// fakeClock is a settable clock; the tracker's real timers are an hour out,
// so tests call fire() themselves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestTracker(t *testing.T) {
	const ttl = time.Hour
	tests := []struct {
		name        string
		run         func(tr *Tracker, c *fakeClock)
		wantExpired bool
		wantExpiry  time.Duration // expected ExpiresAt - start (0 = don't check)
	}{
		{"expires once idle past the TTL", func(tr *Tracker, c *fakeClock) {
			tr.Touch()
			c.t = c.t.Add(ttl)
			tr.fire()
		}, true, ttl},
		{"a running request keeps it alive and re-arms a full TTL", func(tr *Tracker, c *fakeClock) {
			tr.Touch()
			tr.Begin() // never ended
			c.t = c.t.Add(ttl)
			tr.fire()
		}, false, 2 * ttl},
		{"activity moves the deadline", func(tr *Tracker, c *fakeClock) {
			tr.Touch()
			c.t = c.t.Add(ttl / 2)
			end := tr.Begin()
			end()
			end() // a second call is a no-op
			c.t = c.t.Add(ttl / 2)
			tr.fire()
		}, false, ttl + ttl/2},
		{"stopped trackers never expire", func(tr *Tracker, c *fakeClock) {
			tr.Touch()
			tr.Stop()
			c.t = c.t.Add(2 * ttl)
			tr.fire()
		}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			c := &fakeClock{t: start}
			expired := 0
			tr := New(ttl, c.now, func() { expired++ })
			defer tr.Stop()
			tt.run(tr, c)
			if (expired == 1) != tt.wantExpired || expired > 1 {
				t.Errorf("expired %d times, want expired=%v", expired, tt.wantExpired)
			}
			if s := tr.Snapshot(); tt.wantExpiry != 0 && !s.ExpiresAt.Equal(start.Add(tt.wantExpiry)) {
				t.Errorf("ExpiresAt = %v, want start+%v", s.ExpiresAt, tt.wantExpiry)
			}
		})
	}
}

func TestZeroTTLNeverSetsADeadline(t *testing.T) {
	tr := New(0, nil, func() { t.Error("expired") })
	tr.Touch()
	end := tr.Begin()
	if s := tr.Snapshot(); !s.ExpiresAt.IsZero() || s.InFlight != 1 {
		t.Fatalf("snapshot %+v", s)
	}
	end()
	if s := tr.Snapshot(); s.InFlight != 0 {
		t.Fatalf("in flight %d after end", s.InFlight)
	}
}

func TestRealTimerExpires(t *testing.T) {
	done := make(chan struct{})
	tr := New(20*time.Millisecond, nil, func() { close(done) })
	tr.Touch()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the TTL never expired")
	}
}
