package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/pyro-mcp/pyro/host/internal/protocol"
)

// forwardedHeaders are the request headers the agent understands.
var forwardedHeaders = []string{"pyro-exec", "content-type"}

// ErrorTrailer carries {code, message} as JSON when a streamed NDJSON answer
// (exec events) breaks after its status was sent: the answer then ends
// cleanly with this trailer instead of a cut connection, so the client
// reports guest_unreachable with the reason.
const ErrorTrailer = "Pyro-Error"

// Streamed answers are read with a small buffer, and a stream that fills it
// (a tar of a large file, not exec output or a shell) moves up to a bulk one:
// fewer, larger reads, flushes and chunk headers per byte, while the many
// idle streams a workspace can hold (published-port connections) stay small.
const (
	copyBufferBytes = 32 * 1024
	bulkBufferBytes = 512 * 1024
)

var (
	copyBuffers = sync.Pool{New: func() any { return new([copyBufferBytes]byte) }}
	bulkBuffers = sync.Pool{New: func() any { return new([bulkBufferBytes]byte) }}
)

// proxy forwards the request to the agent's /v1/<route> (query kept) and
// streams the answer back, flushing as bytes arrive. Request and answer
// stream at the same time (exec stdin, shell attach): full duplex.
func (h *Handler) proxy(w http.ResponseWriter, r *http.Request, route string) {
	upstream, end, err := h.b.BeginProxy()
	if err != nil {
		writeError(w, err)
		return
	}
	defer end()
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex()

	target := "http://pyro-agent/v1/" + route
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, target, nil)
	if err != nil {
		writeError(w, protocol.Errorf(protocol.ErrInvalidArgument, "route %q: %w", route, err))
		return
	}
	for _, name := range forwardedHeaders {
		if v := r.Header.Get(name); v != "" {
			out.Header.Set(name, v)
		}
	}
	// GET normally has no body; shell attach streams its input as one (chunked).
	if r.Body != nil && r.Body != http.NoBody {
		out.Body, out.ContentLength = r.Body, r.ContentLength
	}
	res, err := upstream.RoundTrip(out)
	if err != nil {
		if r.Context().Err() != nil {
			return // the client went away; nobody is left to answer
		}
		writeError(w, h.b.Unreachable(err))
		return
	}
	defer res.Body.Close()

	contentType := res.Header.Get("content-type")
	if contentType == "" {
		contentType = "application/json"
	}
	w.Header().Set("content-type", contentType)
	for name, values := range res.Header {
		if strings.HasPrefix(strings.ToLower(name), "pyro-") && len(values) > 0 {
			w.Header().Set(name, values[0])
		}
	}
	w.WriteHeader(res.StatusCode)
	_ = rc.Flush()
	if err := stream(w, rc, res.Body); err != nil {
		if r.Context().Err() != nil || !strings.HasPrefix(contentType, "application/x-ndjson") {
			// A byte stream (tar, port data) cut short must look cut short.
			panic(http.ErrAbortHandler)
		}
		_, body := errorBody(h.b.Unreachable(err))
		b, _ := json.Marshal(body.Error)
		w.Header().Set(http.TrailerPrefix+ErrorTrailer, string(b))
	}
}

// stream copies body to w, flushing after every read. It returns the read
// error other than EOF (the upstream broke); write errors mean the client
// left and are returned too.
func stream(w io.Writer, rc *http.ResponseController, body io.Reader) error {
	small := copyBuffers.Get().(*[copyBufferBytes]byte)
	defer copyBuffers.Put(small)
	buf := small[:]
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			if ferr := rc.Flush(); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n == copyBufferBytes && len(buf) == copyBufferBytes {
			bulk := bulkBuffers.Get().(*[bulkBufferBytes]byte)
			defer bulkBuffers.Put(bulk)
			buf = bulk[:]
		}
	}
}
