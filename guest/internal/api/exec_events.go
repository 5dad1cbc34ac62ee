package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"unicode/utf8"

	"github.com/pyro-mcp/pyro/guest/internal/execproc"
	"github.com/pyro-mcp/pyro/guest/internal/redact"
)

// eventWriter streams NDJSON events, flushing each output event so the host
// sees output as it happens. The 200 goes out with the first flushed event,
// so a failure before anything started can still be an error response.
// The started and exit events are not flushed on their own: each flush is
// one more write to the host channel (costly under emulation), and the exit
// event then leaves in the stream's last frame, the one that ends it.
type eventWriter struct {
	w       http.ResponseWriter
	secrets redact.Source
	streams map[execproc.Stream]*outputStream
	started bool
	err     error
}

// outputStream is one pipe's way to the wire: secrets are redacted first
// (which may hold back bytes, or cut a rune with a replacement), then the
// result is cut on a rune boundary again, as the protocol promises.
type outputStream struct {
	red   *redact.Stream
	carry []byte // an incomplete rune, sent with the next bytes
}

func newEventWriter(w http.ResponseWriter, secrets redact.Source) *eventWriter {
	return &eventWriter{w: w, secrets: secrets, streams: map[execproc.Stream]*outputStream{}}
}

func (e *eventWriter) Started(pid int) error {
	return e.writeBuffered(StartedEvent{Type: "started", Pid: pid})
}

func (e *eventWriter) Output(s execproc.Stream, chunk []byte) error {
	o := e.streams[s]
	if o == nil {
		o = &outputStream{red: redact.NewStream(e.secrets)}
		e.streams[s] = o
	}
	return e.emit(s, o, o.red.Write(chunk), false)
}

// flush sends what the redactors and rune cutters still hold: the process
// has exited and its pipes are drained, so nothing more will come.
func (e *eventWriter) flush() {
	for _, s := range []execproc.Stream{execproc.Stdout, execproc.Stderr} {
		if o := e.streams[s]; o != nil {
			_ = e.emit(s, o, o.red.Flush(), true)
		}
	}
}

func (e *eventWriter) emit(s execproc.Stream, o *outputStream, b []byte, final bool) error {
	buf := append(o.carry, b...)
	head, tail := buf, []byte(nil)
	if !final {
		head, tail = execproc.SplitRunes(buf)
	}
	o.carry = append([]byte(nil), tail...)
	if len(head) == 0 {
		return e.err
	}
	ev := OutputEvent{Type: string(s)}
	if utf8.Valid(head) {
		ev.Data = string(head)
	} else {
		ev.DataB64 = base64.StdEncoding.EncodeToString(head)
	}
	return e.write(ev)
}

// write sends v now.
func (e *eventWriter) write(v any) error {
	if err := e.writeBuffered(v); err != nil {
		return err
	}
	if err := http.NewResponseController(e.w).Flush(); err != nil {
		e.err = err
	}
	return e.err
}

// writeBuffered queues v; it leaves with the next flush or when the
// handler returns.
func (e *eventWriter) writeBuffered(v any) error {
	if e.err != nil {
		return e.err
	}
	if !e.started {
		e.started = true
		e.w.Header().Set("content-type", "application/x-ndjson")
		e.w.WriteHeader(http.StatusOK)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // Encode appends the newline
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		e.err = err
		return err
	}
	if _, err := e.w.Write(buf.Bytes()); err != nil {
		e.err = err
	}
	return e.err
}
