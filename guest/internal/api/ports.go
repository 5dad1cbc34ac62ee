package api

import (
	"net/http"
	"strconv"

	"github.com/pyro-mcp/pyro/guest/internal/ports"
)

// portStream connects the stream to a TCP server on the guest's loopback:
// request body to the server, server to response body, raw bytes both
// ways. A failed connect is still an error answer (502); after the 200
// the stream ends when the server closes or the host cancels. Nothing is
// redacted: this is the user's own server talking to the user.
func (s *Server) portStream(w http.ResponseWriter, r *http.Request) error {
	port, err := strconv.Atoi(r.PathValue("port"))
	if err != nil {
		return invalidf("port %q must be a number 1..65535", r.PathValue("port"))
	}
	conn, err := ports.Dial(r.Context(), port)
	if err != nil {
		return err
	}
	write, ok := startRawStream(w)
	if !ok {
		conn.Close()
		return nil // the host is gone already
	}
	// The host closing the stream is the normal end.
	return rawStreamEnd(r, ports.Splice(r.Context(), conn, r.Body, write))
}
