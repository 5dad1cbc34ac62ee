package execproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/reaper"
)

// DrainTimeout bounds how long output is read after the process exits: a
// background child that inherited the pipes must not hold the call open.
const DrainTimeout = 100 * time.Millisecond

// KillWait bounds how long a killed command's cgroup is given to empty
// before Run returns: a fork bomb of thousands of processes takes a moment
// to die, and the exit reported after it should mean they are gone.
const KillWait = 5 * time.Second

const readSize = 32 << 10

type chunk struct {
	stream Stream
	data   []byte // nil: the stream ended
}

// Run spawns spec and blocks until the process has exited and its output
// has been drained. A spawn failure is reported like a shell does (stderr
// line, exit 127 or 126), not as an error; the returned error means nothing
// was started because the agent itself failed (e.g. out of descriptors).
// Cancelling ctx, a failing sink or the timeout kills the process group
// and everything in spec.Cgroup, and waits (at most KillWait) for the
// cgroup to empty.
func Run(ctx context.Context, spec Spec, sink Sink) (Result, error) {
	path, err := LookPath(spec.Argv[0], spec.Env)
	if err != nil {
		return spawnFailed(spec.Argv[0], err, sink), nil
	}
	stdin, stdinW, err := openStdin(spec.Stdin != nil)
	if err != nil {
		return Result{}, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(stdin, stdinW)
		return Result{}, fmt.Errorf("stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(stdin, stdinW, outR, outW)
		return Result{}, fmt.Errorf("stderr pipe: %w", err)
	}
	defer closeAll(outR, errR, stdinW)
	// *os.File streams are handed to the child as is: exec starts no copy
	// goroutines, and nothing here calls cmd.Wait (the reaper owns wait4).
	attr := sysProcAttr()
	spec.Cgroup.Apply(attr) // born in its cgroup: no fork escapes the limits
	cmd := &exec.Cmd{
		Path: path, Args: spec.Argv, Env: spec.Env, Dir: spec.Dir,
		Stdin: stdin, Stdout: outW, Stderr: errW,
		SysProcAttr: attr,
	}
	started := time.Now()
	status, err := reaper.Start(cmd)
	closeAll(stdin, outW, errW) // the child holds its own copies
	if err != nil {
		return spawnFailed(spec.Argv[0], err, sink), nil
	}
	defer cmd.Process.Release()
	pid := cmd.Process.Pid
	if stdinW != nil {
		go feedStdin(stdinW, spec.Stdin)
	}
	killed := false
	kill := func() {
		killed = true
		killGroup(pid)
		_ = spec.Cgroup.Kill()
	}
	alive := sink.Started(pid) == nil
	if !alive {
		kill()
	}

	chunks := make(chan chunk)
	go pump(outR, Stdout, chunks)
	go pump(errR, Stderr, chunks)
	var timeout <-chan time.Time
	if spec.Timeout > 0 {
		t := time.NewTimer(spec.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	done := ctx.Done()
	var res Result
	for open, exited := 2, false; open > 0 || !exited; {
		select {
		case c := <-chunks:
			if c.data == nil {
				open--
			} else if alive && sink.Output(c.stream, c.data) != nil {
				alive = false
				kill()
			}
		case st := <-status:
			// The command is done: the timeout no longer applies (it must not
			// kill what the command left running in the background).
			exited, status, timeout = true, nil, nil
			res.Duration = time.Since(started)
			res.ExitCode, res.Signal = exitCode(st)
			deadline := time.Now().Add(DrainTimeout)
			_ = outR.SetReadDeadline(deadline)
			_ = errR.SetReadDeadline(deadline)
		case <-timeout:
			timeout, res.TimedOut = nil, true
			kill()
		case <-done:
			done, alive = nil, false
			kill()
		}
	}
	if killed {
		spec.Cgroup.WaitEmpty(KillWait)
	}
	return res, nil
}

// pump reads one pipe until EOF or the drain deadline and sends whole-rune
// chunks; a nil chunk marks the end.
func pump(r *os.File, s Stream, out chan<- chunk) {
	buf := make([]byte, readSize+4)
	carry := 0 // bytes of an incomplete rune kept at the front of buf
	for {
		n, err := r.Read(buf[carry : carry+readSize])
		head, tail := SplitRunes(buf[:carry+n])
		if len(head) > 0 {
			out <- chunk{s, append([]byte(nil), head...)}
		}
		carry = copy(buf, tail)
		if err != nil { // io.EOF or os.ErrDeadlineExceeded
			if carry > 0 {
				out <- chunk{s, append([]byte(nil), buf[:carry]...)}
			}
			out <- chunk{s, nil}
			return
		}
	}
}

func feedStdin(w *os.File, r io.Reader) {
	_, _ = io.Copy(w, r) // EPIPE when the process stops reading is fine
	_ = w.Close()
}

func openStdin(stream bool) (child, parent *os.File, err error) {
	if !stream {
		child, err = os.Open(os.DevNull)
		return child, nil, err
	}
	child, parent, err = os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("stdin pipe: %w", err)
	}
	return child, parent, nil
}

// spawnFailed reports a process that could not be started the way sh does.
func spawnFailed(argv0 string, err error, sink Sink) Result {
	msg, code := SpawnFailure(argv0, err)
	_ = sink.Output(Stderr, []byte(msg))
	return Result{ExitCode: code}
}

// SpawnFailure describes a failed start like a shell: the stderr line, and
// 127 when the executable does not exist, 126 when it cannot be executed.
func SpawnFailure(argv0 string, err error) (msg string, code int) {
	reason := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err.Error()
	}
	code = 126
	if errors.Is(err, errNotFound) || errors.Is(err, fs.ErrNotExist) {
		code = 127
	}
	return fmt.Sprintf("pyro-agent: exec %q: %s\n", argv0, reason), code
}

func exitCode(st reaper.Status) (int, string) {
	if st.Exited {
		return st.Code, ""
	}
	return 128 + int(st.Signal), signalName(st.Signal)
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			_ = f.Close()
		}
	}
}
