// Package idle is the VM's idle TTL: every request marks activity and pushes
// the expiry out; a VM is never idle while a proxied request (a running
// command) is in flight; when the TTL passes with nothing in flight, the
// expiry callback runs once.
package idle

import (
	"sync"
	"time"
)

// Action is what to do when the expiry timer fires.
type Action int

const (
	// Rearm: the deadline moved (activity since the timer was set); wait the rest.
	Rearm Action = iota
	// Extend: requests are in flight; count it as activity and wait a full TTL.
	Extend
	// Expire: idle past the deadline; stop the VM.
	Expire
)

// slack tolerates a timer that fires a little early.
const slack = time.Second

// Decide is the pure rule applied when the timer fires at now for a
// deadline expiresAt with inFlight requests running.
func Decide(now, expiresAt time.Time, inFlight int) Action {
	switch {
	case expiresAt.After(now.Add(slack)):
		return Rearm
	case inFlight > 0:
		return Extend
	default:
		return Expire
	}
}

// Tracker holds the activity mark, the deadline and the in-flight count.
// A zero TTL never expires. Methods are safe for concurrent use.
type Tracker struct {
	ttl      time.Duration
	now      func() time.Time
	onExpire func()

	mu           sync.Mutex
	lastActivity time.Time
	expiresAt    time.Time // zero when ttl is 0
	inFlight     int
	timer        *time.Timer
	stopped      bool
}

// New returns a tracker; the TTL starts only at the first Touch. now is the
// clock (time.Now when nil); onExpire runs on its own goroutine, at most once.
func New(ttl time.Duration, now func() time.Time, onExpire func()) *Tracker {
	if now == nil {
		now = time.Now
	}
	return &Tracker{ttl: ttl, now: now, onExpire: onExpire, lastActivity: now()}
}

// Touch marks activity now and re-arms the TTL.
func (t *Tracker) Touch() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.touchLocked()
}

func (t *Tracker) touchLocked() {
	t.lastActivity = t.now()
	if t.ttl <= 0 || t.stopped {
		return
	}
	t.expiresAt = t.lastActivity.Add(t.ttl)
	t.armLocked(t.ttl)
}

func (t *Tracker) armLocked(d time.Duration) {
	if t.timer != nil {
		t.timer.Stop()
	}
	t.timer = time.AfterFunc(d, t.fire)
}

// Begin brackets a proxied request: the VM is busy until the returned func
// is called (exactly once).
func (t *Tracker) Begin() (end func()) {
	t.mu.Lock()
	t.inFlight++
	t.touchLocked()
	t.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			t.mu.Lock()
			t.inFlight--
			t.touchLocked()
			t.mu.Unlock()
		})
	}
}

func (t *Tracker) fire() {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	switch Decide(t.now(), t.expiresAt, t.inFlight) {
	case Rearm:
		t.armLocked(t.expiresAt.Sub(t.now()))
		t.mu.Unlock()
	case Extend:
		t.touchLocked()
		t.mu.Unlock()
	case Expire:
		t.stopped = true
		t.mu.Unlock()
		t.onExpire()
	}
}

// Stop disarms the TTL for good (the VM is ending).
func (t *Tracker) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	if t.timer != nil {
		t.timer.Stop()
	}
}

// Snapshot is the tracker's state for the state record.
type Snapshot struct {
	LastActivity time.Time
	ExpiresAt    time.Time // zero when the VM never expires or the TTL has not started
	InFlight     int
}

// Snapshot returns the current marks.
func (t *Tracker) Snapshot() Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Snapshot{LastActivity: t.lastActivity, ExpiresAt: t.expiresAt, InFlight: t.inFlight}
}
