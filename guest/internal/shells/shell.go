package shells

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/cgroups"
	"github.com/pyro-mcp/pyro/guest/internal/reaper"
	"github.com/pyro-mcp/pyro/guest/internal/redact"
)

const (
	readSize = 32 << 10
	// drainTimeout bounds the wait for the PTY's last output after the shell
	// exits: a background job may keep the terminal open indefinitely.
	drainTimeout = 100 * time.Millisecond
	// inputTimeout bounds one write to the PTY: a shell that stops reading
	// fills the terminal's input queue, and the request must not hang.
	inputTimeout = 10 * time.Second
	// redactIdle is how long output that may be the start of a secret is
	// held back when nothing follows: long enough for a secret written in
	// pieces to arrive whole, short enough that a prompt is not withheld.
	redactIdle = 500 * time.Millisecond
)

var signals = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT,
	"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL,
}

// Shell is one PTY session. ID, Pid, Cwd and Started never change.
type Shell struct {
	ID      string
	Pid     int
	Cwd     string
	Started time.Time

	out       *Buffer
	red       *redact.Writer // in front of out: secrets never reach it
	master    *os.File
	leaf      *cgroups.Leaf // the shell's cgroup (nil: none)
	writeMu   sync.Mutex    // keeps concurrent inputs from interleaving
	drained   chan struct{} // closed when reading the PTY ends
	exited    chan struct{} // closed once the exit status is recorded
	closeOnce sync.Once

	mu         sync.Mutex
	cols, rows int
	ended      time.Time
	exitCode   int
}

// started is what startPTY hands back.
type started struct {
	master *os.File
	pid    int
	status <-chan reaper.Status
}

// Info is a shell's record; Ended and ExitCode are nil while it runs.
type Info struct {
	ID         string
	Pid        int
	Cwd        string
	Cols, Rows int
	Running    bool
	Started    time.Time
	Ended      *time.Time
	ExitCode   *int
}

func (s *Shell) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{ID: s.ID, Pid: s.Pid, Cwd: s.Cwd, Cols: s.cols, Rows: s.rows, Started: s.Started, Running: true}
	if !s.ended.IsZero() {
		ended, code := s.ended, s.exitCode
		in.Running, in.Ended, in.ExitCode = false, &ended, &code
	}
	return in
}

func (s *Shell) running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// pump is the one reader of the PTY master. It ends with EIO once every
// holder of the terminal is gone, or when Close closes the master.
func (s *Shell) pump() {
	defer close(s.drained)
	buf := make([]byte, readSize)
	for {
		n, err := s.master.Read(buf)
		_, _ = s.red.Write(buf[:n])
		if err != nil {
			_ = s.red.Flush()
			return
		}
	}
}

func (s *Shell) supervise(status <-chan reaper.Status) {
	st := <-status
	t := time.NewTimer(drainTimeout)
	select {
	case <-s.drained:
	case <-t.C:
	}
	t.Stop()
	_ = s.red.Flush() // a job still holding the terminal may write more; that is flushed later
	s.mu.Lock()
	s.ended, s.exitCode = time.Now(), st.ExitCode()
	s.mu.Unlock()
	close(s.exited)
}

// Output is one read of a shell's output with the shell's state at the time.
type Output struct {
	Chunk
	Info Info
}

// Output reads from cursor after, if idle > 0, waiting for the shell to go
// quiet (see waitIdle) for at most limit.
func (s *Shell) Output(ctx context.Context, cursor int64, max int, idle, limit time.Duration) (Output, error) {
	if idle > 0 {
		if err := s.waitIdle(ctx, idle, limit); err != nil {
			return Output{}, err
		}
	}
	info := s.Info()
	c, err := s.out.Read(cursor, max, !info.Running)
	return Output{Chunk: c, Info: info}, err
}

// waitIdle returns once the shell has written nothing for idle, counted
// from the call at the earliest (so input just sent has time to be echoed
// and answered), or once it exits or limit passes. Instead of waking on
// every chunk of output it sleeps until the moment the shell would have
// been quiet long enough and then checks again.
func (s *Shell) waitIdle(ctx context.Context, idle, limit time.Duration) error {
	begin := time.Now()
	stop := time.NewTimer(limit)
	defer stop.Stop()
	wake := time.NewTimer(idle)
	defer wake.Stop()
	for {
		quiet := begin
		if last := s.out.LastWrite(); last.After(quiet) {
			quiet = last
		}
		left := idle - time.Since(quiet)
		if left <= 0 {
			return nil
		}
		wake.Reset(left)
		select {
		case <-wake.C:
		case <-stop.C:
			return nil
		case <-s.exited:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Input copies r to the PTY; it returns the bytes written.
func (s *Shell) Input(r io.Reader) (int64, error) {
	if !s.running() {
		return 0, fmt.Errorf("%w: %s", ErrNotRunning, s.ID)
	}
	var total int64
	buf := make([]byte, readSize)
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			k, err := s.write(buf[:n])
			total += int64(k)
			if err != nil {
				return total, err
			}
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

func (s *Shell) write(p []byte) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = s.master.SetWriteDeadline(time.Now().Add(inputTimeout))
	n, err := s.master.Write(p)
	if err != nil {
		return n, fmt.Errorf("write to pty: %w", err)
	}
	return n, nil
}

// Signal sends the named signal to the terminal's foreground process group
// (what Ctrl-C would reach), falling back to the shell's own group.
func (s *Shell) Signal(name string) (pgid int, err error) {
	sig, ok := signals[name]
	if !ok {
		return 0, fmt.Errorf("%w: signal %q (want HUP, INT, QUIT, TERM or KILL)", ErrInvalid, name)
	}
	if !s.running() {
		return 0, fmt.Errorf("%w: %s", ErrNotRunning, s.ID)
	}
	pgid, err = foreground(s.master)
	if err != nil || pgid <= 0 {
		pgid = s.Pid
	}
	if err := killGroup(pgid, sig); err != nil {
		return 0, fmt.Errorf("kill(-%d, %s): %w", pgid, name, err)
	}
	return pgid, nil
}

// Resize sets the terminal size (TIOCSWINSZ); the kernel sends SIGWINCH.
func (s *Shell) Resize(cols, rows int) error {
	if err := checkSize(cols, rows); err != nil {
		return err
	}
	if err := setSize(s.master, cols, rows); err != nil {
		return fmt.Errorf("resize: %w", err)
	}
	s.mu.Lock()
	s.cols, s.rows = cols, rows
	s.mu.Unlock()
	return nil
}
