package services

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/pyro-mcp/pyro/guest/internal/redact"
)

// Each log file is capped: past logCap it is cut to its last logKeep bytes
// (protocol: 8 MiB and 4 MiB). Variables so tests can use small ones.
var (
	logCap  int64 = 8 << 20
	logKeep int64 = 4 << 20
)

const pumpSize = 32 << 10

// Logs is what GET .../logs returns.
type Logs struct {
	Stdout, Stderr string
	Truncated      bool // older output exists than what is returned
}

type logSet struct{ stdout, stderr *logFile }

// logFile receives one stream of the service through a pipe, so the agent
// sees every write and can enforce the cap itself; a child writing to the
// file directly could not be cut without racing its writes.
type logFile struct {
	path    string
	pipeW   *os.File      // the child's end; ours is closed once the child has it
	secrets redact.Source // redacted before anything reaches the file

	mu     sync.Mutex
	f      *os.File
	size   int64
	capped bool // bytes were cut off the front
	closed bool // the service was replaced: discard what still arrives
}

// openLogs creates dir (0700) with fresh stdout.log and stderr.log.
func openLogs(dir string, secrets redact.Source) (*logSet, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	out, err := openLog(filepath.Join(dir, "stdout.log"), secrets)
	if err != nil {
		return nil, err
	}
	errLog, err := openLog(filepath.Join(dir, "stderr.log"), secrets)
	if err != nil {
		out.pipeW.Close()
		out.close()
		return nil, err
	}
	return &logSet{out, errLog}, nil
}

func openLog(path string, secrets redact.Source) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("log pipe: %w", err)
	}
	l := &logFile{path: path, pipeW: w, secrets: secrets, f: f}
	go l.pump(r)
	return l, nil
}

// childStarted drops our copies of the children's pipe ends, so a pump sees
// EOF once the last process holding one is gone.
func (ls *logSet) childStarted() {
	ls.stdout.pipeW.Close()
	ls.stderr.pipeW.Close()
}

func (ls *logSet) close() {
	ls.stdout.close()
	ls.stderr.close()
}

func (ls *logSet) read(tail int, all bool) (Logs, error) {
	out, cut1, err := ls.stdout.tail(tail, all)
	if err != nil {
		return Logs{}, err
	}
	errText, cut2, err := ls.stderr.tail(tail, all)
	if err != nil {
		return Logs{}, err
	}
	return Logs{Stdout: out, Stderr: errText, Truncated: cut1 || cut2}, nil
}

// pump copies the pipe to the file through a redactor, which holds back
// a possible start of a secret until the next read or the end of the pipe
// (no idle flush: nobody waits on a log line the way a prompt is awaited).
func (l *logFile) pump(r *os.File) {
	defer r.Close()
	red := redact.NewWriter(l, l.secrets, 0)
	buf := make([]byte, pumpSize)
	for {
		n, err := r.Read(buf)
		_, _ = red.Write(buf[:n])
		if err != nil {
			_ = red.Flush()
			return
		}
	}
}

// writeLine appends a message of the agent's own (a spawn failure),
// redacted, since it may quote a secret (in argv[0]).
func (l *logFile) writeLine(msg string) {
	var values [][]byte
	if l.secrets != nil {
		values = l.secrets()
	}
	_, _ = l.Write(redact.Bytes(values, []byte(msg)))
}

// Write appends p and enforces the cap. Errors are swallowed: a full
// tmpfs must not block the service on a pipe nobody drains.
func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || len(p) == 0 {
		return len(p), nil
	}
	n, _ := l.f.Write(p)
	l.size += int64(n)
	if l.size > logCap {
		_ = l.shrink()
	}
	return len(p), nil
}

// shrink keeps the last logKeep bytes: written beside the file and renamed
// over it, so a concurrent reader sees either the old or the new file.
func (l *logFile) shrink() error {
	src, err := os.Open(l.path)
	if err != nil {
		return err
	}
	keep := make([]byte, logKeep)
	n, _ := src.ReadAt(keep, l.size-logKeep)
	src.Close()
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, keep[:n], 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, l.path); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	l.f.Close()
	l.f, l.size, l.capped = f, int64(n), true
	return nil
}

func (l *logFile) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		l.f.Close()
	}
}

// tail returns the last n lines (everything with all) and whether older
// output exists than what is returned.
func (l *logFile) tail(n int, all bool) (string, bool, error) {
	l.mu.Lock()
	capped := l.capped
	b, err := os.ReadFile(l.path) // under mu: not mid-shrink
	l.mu.Unlock()
	if err != nil {
		return "", false, fmt.Errorf("read log: %w", err)
	}
	cut := false
	if !all {
		b, cut = lastLines(b, n)
	}
	return string(b), cut || capped, nil
}

// lastLines returns the last n lines of b; a final newline ends the last
// line rather than starting an empty one.
func lastLines(b []byte, n int) ([]byte, bool) {
	if n <= 0 {
		return nil, len(b) > 0
	}
	i := len(b)
	if i > 0 && b[i-1] == '\n' {
		i--
	}
	for k := 0; k < n; k++ {
		j := bytes.LastIndexByte(b[:i], '\n')
		if j < 0 {
			return b, false
		}
		i = j
	}
	return b[i+1:], true
}
