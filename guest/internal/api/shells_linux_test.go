package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/procgroup"
	"github.com/pyro-mcp/pyro/guest/internal/shells"
)

func openShell(t *testing.T, c *http.Client, req ShellOpenRequest) ShellRecord {
	t.Helper()
	var rec ShellRecord
	callOK(t, c, "POST", "/v1/shells", req, &rec)
	t.Cleanup(func() { send(t, c, "DELETE", "/v1/shells/"+rec.ShellID, nil) })
	return rec
}

func shellInput(t *testing.T, c *http.Client, id, text string) {
	t.Helper()
	var res ShellInputResult
	callOK(t, c, "POST", "/v1/shells/"+id+"/input", text, &res)
	if res.Bytes != int64(len(text)) {
		t.Fatalf("input wrote %d of %d bytes", res.Bytes, len(text))
	}
}

func shellOutput(t *testing.T, c *http.Client, id, query string) ShellOutput {
	t.Helper()
	var out ShellOutput
	callOK(t, c, "GET", "/v1/shells/"+id+"/output?"+query, nil, &out)
	return out
}

// waitOutput reads from cursor on until the output holds want; it returns
// what it read and the next cursor.
func waitOutput(t *testing.T, c *http.Client, id string, cursor int64, want string) (string, int64) {
	t.Helper()
	var got strings.Builder
	eventually(t, fmt.Sprintf("%q in %q", want, &got), func() bool {
		out := shellOutput(t, c, id, fmt.Sprintf("cursor=%d&wait_for_idle_ms=100&timeout_ms=1000", cursor))
		got.WriteString(out.Output)
		cursor = out.NextCursor
		return strings.Contains(got.String(), want)
	})
	return got.String(), cursor
}

// State carries over between inputs: it is one shell, not one per command.
func TestShellKeepsState(t *testing.T) {
	c := newClient(t, testServer(t))
	dir := t.TempDir()
	sh := openShell(t, c, ShellOpenRequest{Cwd: dir, Cols: 120, Rows: 30})
	if !strings.HasPrefix(sh.ShellID, "sh_") || len(sh.ShellID) != 11 || sh.Cwd != dir ||
		sh.State != "running" || sh.EndedAt != nil || sh.ExitCode != nil || sh.Cols != 120 {
		t.Fatalf("record %+v", sh)
	}
	shellInput(t, c, sh.ShellID, "cd /tmp && export X=1\n")
	time.Sleep(100 * time.Millisecond)
	shellInput(t, c, sh.ShellID, "echo $X $PWD\n")
	// Waits until it shows (a loaded host may take longer than one idle wait).
	waitOutput(t, c, sh.ShellID, 0, "1 /tmp")
	var list ShellList
	callOK(t, c, "GET", "/v1/shells", nil, &list)
	if len(list.Shells) != 1 || list.Shells[0].ShellID != sh.ShellID {
		t.Errorf("list %+v", list)
	}
}

func TestShellCursor(t *testing.T) {
	c := newClient(t, testServer(t))
	sh := openShell(t, c, ShellOpenRequest{})
	shellInput(t, c, sh.ShellID, "echo ready-$((20+1))\n")
	_, end := waitOutput(t, c, sh.ShellID, 0, "ready-21")
	id := sh.ShellID

	full := shellOutput(t, c, id, "cursor=0")
	head := shellOutput(t, c, id, "cursor=0&max_bytes=5")
	if head.Cursor != 0 || head.NextCursor != 5 || len(head.Output) != 5 || !head.Truncated || head.Dropped != 0 {
		t.Errorf("head %+v", head)
	}
	rest := shellOutput(t, c, id, fmt.Sprintf("cursor=%d", head.NextCursor))
	if rest.Cursor != 5 || rest.Truncated || head.Output+rest.Output != full.Output || rest.NextCursor < end {
		t.Errorf("rest %+v does not continue head %+v to %+v", rest, head, full)
	}
	// At the end, an idle wait returns nothing new and keeps the cursor.
	begin := time.Now()
	tail := shellOutput(t, c, id, fmt.Sprintf("cursor=%d&wait_for_idle_ms=200", rest.NextCursor))
	if tail.Output != "" || tail.NextCursor != rest.NextCursor || time.Since(begin) < 200*time.Millisecond {
		t.Errorf("tail %+v after %v", tail, time.Since(begin))
	}
	// timeout_ms caps the idle wait even while output keeps coming.
	shellInput(t, c, id, "while :; do echo tick; sleep 0.05; done\n")
	begin = time.Now()
	shellOutput(t, c, id, "wait_for_idle_ms=5000&timeout_ms=300")
	// Past the caps (60 s) the waits are capped, not refused.
	shellOutput(t, c, id, "wait_for_idle_ms=0&timeout_ms=240000")
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("idle wait took %v, want about timeout_ms", d)
	}
	callOK(t, c, "POST", "/v1/shells/"+id+"/signal", ShellSignalRequest{Signal: "INT"}, nil)

	far := fmt.Sprintf("/v1/shells/%s/output?cursor=%d", id, 1<<40)
	wantError(t, c, "GET", far, nil, 400, "invalid_argument")
	wantError(t, c, "GET", "/v1/shells/"+id+"/output?max_bytes=x", nil, 400, "invalid_argument")
	wantError(t, c, "GET", "/v1/shells/"+id+"/output?timeout_ms=-1", nil, 400, "invalid_argument")
}

// More than the buffer holds: the oldest bytes are dropped and reported.
func TestShellBufferDropsOldest(t *testing.T) {
	c := newClient(t, testServer(t))
	sh := openShell(t, c, ShellOpenRequest{})
	shellInput(t, c, sh.ShellID, "head -c 1200000 /dev/zero | tr '\\0' a; echo; echo done-$((6*7))\n")
	waitOutput(t, c, sh.ShellID, 0, "done-42")
	out := shellOutput(t, c, sh.ShellID, "cursor=0&max_bytes=16777216")
	if out.Dropped <= 0 || out.NextCursor < 1200000 ||
		out.Dropped+int64(len(out.Output)) != out.NextCursor || len(out.Output) > shells.BufferSize {
		t.Errorf("cursor 0 of %d: dropped %d, %d bytes", out.NextCursor, out.Dropped, len(out.Output))
	}
}

// INT reaches the foreground job, not the shell, which carries on.
func TestShellSignalInterrupts(t *testing.T) {
	c := newClient(t, testServer(t))
	sh := openShell(t, c, ShellOpenRequest{})
	shellInput(t, c, sh.ShellID, "sleep 100\n")
	var sleeper int
	eventually(t, "sleep in the shell's session", func() bool {
		for _, pid := range procgroup.SessionOf(sh.Pid).Pids() {
			if procComm(pid) == "sleep" {
				sleeper = pid
				return true
			}
		}
		return false
	})
	var res ShellSignalResult
	callOK(t, c, "POST", "/v1/shells/"+sh.ShellID+"/signal", ShellSignalRequest{Signal: "INT"}, &res)
	if res.Signal != "INT" || res.Pgid != sleeper {
		t.Errorf("signal went to group %d, want the sleep's %d (shell %d)", res.Pgid, sleeper, sh.Pid)
	}
	eventually(t, "sleep to end", func() bool { return !procExists(sleeper) })
	end := shellOutput(t, c, sh.ShellID, "").NextCursor
	shellInput(t, c, sh.ShellID, "echo alive-$((40+2))\n")
	waitOutput(t, c, sh.ShellID, end, "alive-42")
	wantError(t, c, "POST", "/v1/shells/"+sh.ShellID+"/signal", ShellSignalRequest{Signal: "USR1"}, 400, "invalid_argument")
}

// Close ends the whole session, including a job that ignores SIGHUP.
func TestShellCloseKillsEverything(t *testing.T) {
	c := newClient(t, testServer(t))
	sh := openShell(t, c, ShellOpenRequest{})
	shellInput(t, c, sh.ShellID, "sleep 300 & (trap '' HUP; exec sleep 301) & sleep 302\n")
	session := procgroup.SessionOf(sh.Pid)
	eventually(t, "three sleeps", func() bool {
		n := 0
		for _, pid := range session.Pids() {
			if procComm(pid) == "sleep" {
				n++
			}
		}
		return n == 3
	})
	var rec ShellRecord
	callOK(t, c, "DELETE", "/v1/shells/"+sh.ShellID, nil, &rec)
	if rec.State != "exited" || rec.ExitCode == nil || rec.EndedAt == nil {
		t.Errorf("final record %+v", rec)
	}
	if pids := session.Pids(); len(pids) > 0 {
		t.Errorf("left running: %v", pids)
	}
	wantError(t, c, "GET", "/v1/shells/"+sh.ShellID, nil, 404, "not_found")
	wantError(t, c, "POST", "/v1/shells/"+sh.ShellID+"/input", "x", 404, "not_found")
}

func TestShellExit(t *testing.T) {
	c := newClient(t, testServer(t))
	sh := openShell(t, c, ShellOpenRequest{})
	shellInput(t, c, sh.ShellID, "exit 7\n")
	out := shellOutput(t, c, sh.ShellID, "wait_for_idle_ms=60000&timeout_ms=60000")
	if out.State != "exited" || out.ExitCode == nil || *out.ExitCode != 7 {
		t.Fatalf("after exit: %+v", out)
	}
	id := sh.ShellID
	wantError(t, c, "POST", "/v1/shells/"+id+"/input", "echo\n", 409, "shell_not_running")
	wantError(t, c, "POST", "/v1/shells/"+id+"/signal", ShellSignalRequest{Signal: "INT"}, 409, "shell_not_running")
	var rec ShellRecord
	callOK(t, c, "GET", "/v1/shells/"+id, nil, &rec)
	if rec.State != "exited" || *rec.ExitCode != 7 {
		t.Errorf("record %+v", rec)
	}
}

func TestShellResize(t *testing.T) {
	c := newClient(t, testServer(t))
	sh := openShell(t, c, ShellOpenRequest{})
	if sh.Cols != 120 || sh.Rows != 30 {
		t.Errorf("default size %dx%d", sh.Cols, sh.Rows)
	}
	var rec ShellRecord
	callOK(t, c, "POST", "/v1/shells/"+sh.ShellID+"/resize", ShellResizeRequest{Cols: 100, Rows: 40}, &rec)
	if rec.Cols != 100 || rec.Rows != 40 {
		t.Errorf("record %+v", rec)
	}
	shellInput(t, c, sh.ShellID, "stty size\n")
	waitOutput(t, c, sh.ShellID, 0, "40 100")
	wantError(t, c, "POST", "/v1/shells/"+sh.ShellID+"/resize", ShellResizeRequest{Cols: 0, Rows: 10}, 400, "invalid_argument")
}

func TestShellOpenInvalid(t *testing.T) {
	c := newClient(t, testServer(t))
	for _, body := range []any{
		ShellOpenRequest{Cwd: "relative"},
		ShellOpenRequest{Cwd: "/nonexistent/pyro"},
		ShellOpenRequest{Cols: 1001, Rows: 10},
		`{"cwd":"/","shell":"zsh"}`,
		`{"cwd":`,
	} {
		wantError(t, c, "POST", "/v1/shells", body, 400, "invalid_argument")
	}
}

// Attach is full duplex: input in the request body, output in the answer.
func TestShellAttach(t *testing.T) {
	c := newClient(t, testServer(t))
	sh := openShell(t, c, ShellOpenRequest{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, inW := io.Pipe()
	defer inW.Close()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://pyro/v1/shells/"+sh.ShellID+"/attach", in)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("content-type") != "application/octet-stream" {
		t.Fatalf("attach: %d %s", resp.StatusCode, resp.Header.Get("content-type"))
	}
	go io.WriteString(inW, "echo attached-$((1+1))\n")
	var got strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(got.String(), "attached-2") {
		n, err := resp.Body.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("read %q: %v", got.String(), err)
		}
	}
	// The shell ending ends the stream.
	io.WriteString(inW, "exit\n")
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Errorf("stream did not end cleanly with the shell: %v", err)
	}
}
