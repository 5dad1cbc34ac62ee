package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/power"
	"github.com/pyro-mcp/pyro/guest/internal/sysinfo"
)

// bigHeaderBytes is the size of the oversized response header: far above any
// sane limit (the host allows 64 KiB), far below what would stall the link.
const bigHeaderBytes = 1 << 20

// chunk is the unit of every endless body: 32 KiB, the real agent's read size.
var chunk = strings.Repeat("a", 32<<10)

// handler answers boot's routes correctly and misbehaves everywhere else.
// The misbehaviour is picked by the request: exec by argv[0], file routes by
// the first component of `path`, service logs by the service name. Names
// the test uses: see test/integration/hostile-agent.test.ts.
func handler(bootMs int64) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/info", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{
			"agent_version": "0.1.0-hostile", "protocol_version": 1, "boot_ms": bootMs,
			"kernel":       sysinfo.KernelRelease(),
			"capabilities": []string{"exec", "files", "limits", "poweroff", "secrets", "services", "sync"},
		})
	})
	mux.HandleFunc("GET /v1/health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"ok": true, "uptime_ms": sysinfo.Uptime().Milliseconds()})
	})
	mux.HandleFunc("/v1/limits", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"enabled": false, "max_pids": 0, "user_pids_max": 0,
			"user_memory_max_bytes": 0, "agent_memory_min_bytes": 0, "user_process_count": 0,
			"user_pids_current": -1, "user_memory_current_bytes": -1})
	})
	mux.HandleFunc("PUT /v1/secrets", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"names": []string{}})
	})
	mux.HandleFunc("POST /v1/identity", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"ok": true}) // boot needs it: the host sends it to every guest
	})
	mux.HandleFunc("POST /v1/sync", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"ok": true})
	})
	mux.HandleFunc("POST /v1/poweroff", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"ok": true})
		w.(http.Flusher).Flush()
		go func() { time.Sleep(100 * time.Millisecond); report("poweroff", power.Off()) }()
	})
	mux.HandleFunc("POST /v1/exec", exec)
	mux.HandleFunc("GET /v1/files/tar", filesTar)
	mux.HandleFunc("GET /v1/files/read", filesRead)
	mux.HandleFunc("GET /v1/files/list", filesList)
	mux.HandleFunc("GET /v1/services/{name}/logs", serviceLogs)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "not_found", "message": "hostile stand-in"}})
	})
	return mux
}

// exec misbehaves by argv[0].
func exec(w http.ResponseWriter, r *http.Request) {
	var spec struct {
		Argv []string `json:"argv"`
	}
	_ = json.Unmarshal([]byte(r.Header.Get("pyro-exec")), &spec)
	mode := ""
	if len(spec.Argv) > 0 {
		mode = spec.Argv[0]
	}
	w.Header().Set("content-type", "application/x-ndjson")
	switch mode {
	case "big-header": // an oversized header on an otherwise fine answer
		w.Header().Set("pyro-junk", strings.Repeat("h", bigHeaderBytes))
		w.WriteHeader(200)
		fmt.Fprint(w, `{"type":"exit","exit_code":0,"timed_out":false,"duration_ms":1}`+"\n")
	case "endless-output": // well-formed stdout events that never end
		w.WriteHeader(200)
		fmt.Fprint(w, `{"type":"started","pid":2}`+"\n")
		endless(w, r, func() string { return `{"type":"stdout","data":"` + chunk + `"}` + "\n" })
	case "endless-line": // one event line that never ends
		w.WriteHeader(200)
		fmt.Fprint(w, `{"type":"stdout","data":"`)
		endless(w, r, func() string { return chunk })
	case "not-json":
		w.WriteHeader(200)
		fmt.Fprint(w, "<html>this is not NDJSON</html>\n")
	case "bad-event": // valid JSON, wrong shape
		w.WriteHeader(200)
		fmt.Fprint(w, `{"type":"exit","exit_code":"zero"}`+"\n")
	case "unknown-event":
		w.WriteHeader(200)
		fmt.Fprint(w, `{"type":"meow","data":1}`+"\n")
	case "bad-error": // an error answer whose body is not the error shape
		w.WriteHeader(500)
		fmt.Fprint(w, `{"error":"nope"`)
	default:
		w.WriteHeader(200)
		fmt.Fprint(w, `{"type":"started","pid":2}`+"\n"+`{"type":"exit","exit_code":0,"timed_out":false,"duration_ms":1}`+"\n")
	}
}

// filesRead misbehaves by the path's first component.
func filesRead(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("content-type", "application/octet-stream")
	switch mode(r) {
	case "big-header":
		w.Header().Set("pyro-junk", strings.Repeat("h", bigHeaderBytes))
		w.Header().Set("pyro-size", "2")
		w.WriteHeader(200)
		fmt.Fprint(w, "ok")
	case "bad-size":
		w.Header().Set("pyro-size", "lots")
		w.WriteHeader(200)
		fmt.Fprint(w, "ok")
	default: // endless: far more than max_bytes, forever
		w.Header().Set("pyro-size", "10")
		w.Header().Set("pyro-truncated", "false")
		w.WriteHeader(200)
		endless(w, r, func() string { return chunk })
	}
}

// filesList answers with wrong shapes, or JSON that never ends.
func filesList(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("content-type", "application/json")
	w.WriteHeader(200)
	switch mode(r) {
	case "not-json":
		fmt.Fprint(w, "<html>")
	case "endless":
		fmt.Fprint(w, `{"entries":[`)
		endless(w, r, func() string { return strings.Repeat(`{"path":"a","type":"file"},`, 1000) })
	default: // bad-shape
		fmt.Fprint(w, `{"entries":[{"path":7,"type":"file"}]}`)
	}
}

// serviceLogs misbehaves by service name.
func serviceLogs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("content-type", "application/json")
	w.WriteHeader(200)
	switch r.PathValue("name") {
	case "endless":
		fmt.Fprint(w, `{"service_name":"endless","stdout":"`)
		endless(w, r, func() string { return chunk })
	default: // bad-shape
		fmt.Fprint(w, `{"service_name":"x","stdout":5,"stderr":null,"truncated":"no"}`)
	}
}

// endless writes next() until the host gives up on the stream.
func endless(w http.ResponseWriter, r *http.Request, next func() string) {
	f := w.(http.Flusher)
	for r.Context().Err() == nil {
		if _, err := fmt.Fprint(w, next()); err != nil {
			return
		}
		f.Flush()
	}
}

// mode is the first component of the `path` query parameter.
func mode(r *http.Request) string {
	m, _, _ := strings.Cut(r.URL.Query().Get("path"), "/")
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("content-type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
