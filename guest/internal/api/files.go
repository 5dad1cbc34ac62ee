package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/pyro-mcp/pyro/guest/internal/files"
)

// Read limits for GET /v1/files/read.
const (
	defaultReadBytes = 64 << 10
	maxReadBytes     = 16 << 20
)

// The file handlers only parse and render; confinement lives in package
// files. Query parameters: root (absolute), path (relative, "" = root).

func (s *Server) filesTarPut(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	opts := files.Options{AnySymlinkTarget: q.Get("symlinks") == "any"}
	st, err := files.Extract(q.Get("root"), q.Get("path"), r.Body, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, FilesTarResult{Entries: st.Entries, Bytes: st.Bytes})
	return nil
}

func (s *Server) filesTarGet(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	t, err := files.OpenTree(q.Get("root"), q.Get("path"))
	if err != nil {
		return err
	}
	defer t.Close()
	w.Header().Set("content-type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	return t.WriteTar(w, http.NewResponseController(w).Flush)
}

func (s *Server) filesList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	recursive, err := boolParam("recursive", q.Get("recursive"))
	if err != nil {
		return err
	}
	list, err := files.List(q.Get("root"), q.Get("path"), recursive)
	if err != nil {
		return err
	}
	out := FilesListResponse{Entries: make([]FileEntry, len(list))}
	for i, e := range list {
		out.Entries[i] = FileEntry{
			Path: e.Path, Type: e.Type, Size: e.Size, LinkTarget: e.LinkTarget,
			Mode:  fmt.Sprintf("%04o", e.Mode),
			Mtime: e.ModTime.UTC().Format(time.RFC3339),
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) filesRead(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := intParam("max_bytes", q.Get("max_bytes"), defaultReadBytes, maxReadBytes)
	if err != nil {
		return err
	}
	f, err := files.OpenFile(q.Get("root"), q.Get("path"))
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	w.Header().Set("content-type", "application/octet-stream")
	w.Header().Set("pyro-size", strconv.FormatInt(size, 10))
	w.Header().Set("pyro-truncated", strconv.FormatBool(size > limit))
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, io.LimitReader(f, min(size, limit)))
	return err
}

func (s *Server) filesWrite(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	mode := int64(-1) // keep the existing file's mode
	if m := q.Get("mode"); m != "" {
		v, err := strconv.ParseUint(m, 8, 32)
		if err != nil || v > 0o7777 {
			return invalidf("mode %q must be octal, at most 07777", m)
		}
		mode = int64(v)
	}
	rel, err := files.CleanPath(q.Get("path"))
	if err != nil {
		return err
	}
	// Read one byte past the cap to tell "exactly 1 MiB" from "more".
	data, err := io.ReadAll(io.LimitReader(r.Body, files.MaxWrite+1))
	if err != nil {
		return invalidf("reading body: %v", err)
	}
	if len(data) > files.MaxWrite {
		return invalidf("body exceeds %d bytes", files.MaxWrite)
	}
	if err := files.Write(q.Get("root"), rel, data, mode); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, FilesWriteResult{Path: rel, Bytes: int64(len(data))})
	return nil
}

func (s *Server) filesRemove(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := files.Remove(q.Get("root"), q.Get("path")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, FilesRemoveResult{Removed: true})
	return nil
}

func boolParam(name, v string) (bool, error) {
	switch v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, invalidf("%s must be 0 or 1, got %q", name, v)
}

func intParam(name, v string, def, max int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > max {
		return 0, invalidf("%s must be an integer from 0 to %d, got %q", name, max, v)
	}
	return n, nil
}
