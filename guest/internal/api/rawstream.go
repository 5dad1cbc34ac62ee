package api

import (
	"context"
	"errors"
	"net/http"
)

// startRawStream answers 200 with a raw octet stream (port streams, shell
// attach) and flushes the headers so the host sees the stream open before
// any byte flows. It returns the writer of one chunk, flushed at once, or
// ok=false when the host is gone already (the handler then answers nil).
func startRawStream(w http.ResponseWriter) (write func([]byte) error, ok bool) {
	rc := http.NewResponseController(w)
	w.Header().Set("content-type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil, false
	}
	return func(b []byte) error {
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}, true
}

// rawStreamEnd is a handler's answer once the pump of a raw stream ended
// with err: nil when the host closed the stream (its normal end), else err.
func rawStreamEnd(r *http.Request, err error) error {
	if errors.Is(err, context.Canceled) || r.Context().Err() != nil {
		return nil
	}
	return err
}
