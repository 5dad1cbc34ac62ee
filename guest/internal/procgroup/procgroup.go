// Package procgroup signals and reaps whole process groups or sessions, for
// shells and services whose children must not outlive them.
//
// The kernel tells a parent when its own child exits (the reaper delivers
// that), but nothing announces that a group or session became empty, so
// Stop waits for the leader's exit first and only then polls /proc briefly
// for stragglers.
package procgroup

import (
	"syscall"
	"time"
)

// Target names what to act on: process group ID, or session ID when Session.
type Target struct {
	ID      int
	Session bool
}

// Group and SessionOf are shorthands for the two kinds of Target.
func Group(pgid int) Target    { return Target{ID: pgid} }
func SessionOf(sid int) Target { return Target{ID: sid, Session: true} }

// pollEvery paces the straggler check; a stop takes at least this long only
// when something outlives the leader.
const pollEvery = 20 * time.Millisecond

// killWait bounds the wait after SIGKILL; processes in uninterruptible sleep
// can take a moment, and the caller must not hang on them forever.
const killWait = 5 * time.Second

// Alive reports whether any live (non-zombie) process belongs to t.
func (t Target) Alive() bool { return len(t.members()) > 0 }

// Pids lists the live processes of t.
func (t Target) Pids() []int {
	var out []int
	for _, p := range t.members() {
		out = append(out, p.pid)
	}
	return out
}

// Stop sends sig to every process of t, waits up to grace for all of them
// to end, then SIGKILLs whatever is left and waits for that too (bounded).
// leader, if not nil, is closed when the leader has been reaped; it lets
// the common case (the leader takes its children along) end without polling.
// It reports whether SIGKILL was needed.
func (t Target) Stop(sig syscall.Signal, grace time.Duration, leader <-chan struct{}) bool {
	t.Signal(sig)
	deadline := time.Now().Add(grace)
	if leader != nil {
		timer := time.NewTimer(grace)
		select {
		case <-leader:
		case <-timer.C:
		}
		timer.Stop()
	}
	if t.waitGone(deadline) {
		return false
	}
	t.Signal(syscall.SIGKILL)
	t.waitGone(time.Now().Add(killWait))
	return true
}

// waitGone polls until t has no live process or the deadline passes.
func (t Target) waitGone(deadline time.Time) bool {
	for {
		if !t.Alive() {
			return true
		}
		if !time.Now().Before(deadline) {
			return false
		}
		time.Sleep(min(pollEvery, time.Until(deadline)+time.Millisecond))
	}
}
