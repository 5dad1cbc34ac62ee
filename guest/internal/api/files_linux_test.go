package api

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// call sends one request with the query q through the HTTP/2 client and
// returns the response with its body read.
func call(t *testing.T, c *http.Client, method, route string, q url.Values, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	return roundTrip(t, c, method, "http://pyro"+route+"?"+q.Encode(), body)
}

func query(root, path string, kv ...string) url.Values {
	q := url.Values{"root": {root}, "path": {path}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

func testTar(t *testing.T, files map[string]string, modes map[string]int64, links map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		mode := modes[name]
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(body)), ModTime: time.Unix(1700000000, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	for name, target := range links {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFilesTarRoundTrip(t *testing.T) {
	root := t.TempDir()
	c := newClient(t, testServer(t))
	in := testTar(t,
		map[string]string{"./run.sh": "#!/bin/sh\n", "./a.txt": "hello", "./sub/deep/b.txt": "deep"},
		map[string]int64{"./run.sh": 0o755},
		map[string]string{"./sub/link": "deep/b.txt"})
	resp, body := call(t, c, "PUT", "/v1/files/tar", query(root, "dest"), bytes.NewReader(in))
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"entries":4,"bytes":19}` {
		t.Fatalf("PUT: %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, c, "GET", "/v1/files/tar", query(root, "dest"), nil)
	if resp.StatusCode != 200 || resp.Header.Get("content-type") != "application/x-tar" {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
	got := map[string]string{}
	tr := tar.NewReader(bytes.NewReader(body))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[h.Name] = string(b) + "|" + string(h.Typeflag) + "|" + h.Linkname + "|" + fmt.Sprintf("%04o", h.Mode)
	}
	want := map[string]string{
		"./": "|5||0755", "./run.sh": "#!/bin/sh\n|0||0755", "./a.txt": "hello|0||0644",
		"./sub/": "|5||0755", "./sub/deep/": "|5||0755", "./sub/deep/b.txt": "deep|0||0644",
		"./sub/link": "|2|deep/b.txt|0777",
	}
	if len(got) != len(want) {
		t.Errorf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
}

// TestFilesErrors checks status and code of the refusals end to end.
func TestFilesErrors(t *testing.T) {
	tmp := t.TempDir()
	root, outside := filepath.Join(tmp, "ws"), filepath.Join(tmp, "outside")
	for _, d := range []string{root, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{{outside, "out"}, {"a.txt", "link"}} {
		if err := os.Symlink(l[0], filepath.Join(root, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	big := bytes.Repeat([]byte("x"), 1<<20+1)
	evil := testTar(t, map[string]string{"../evil": "x"}, nil, nil)
	// A large valid prefix: the agent answers before reading the whole body.
	bigEvil := testTar(t, map[string]string{"../evil": string(bytes.Repeat([]byte("y"), 4<<20))}, nil, nil)
	tests := []struct {
		name, method, route string
		q                   url.Values
		body                []byte
		wantStatus          int
		wantCode            string
	}{
		{"tar dot-dot", "PUT", "/v1/files/tar", query(root, ""), evil, 400, "path_outside_workspace"},
		{"tar dot-dot, large body", "PUT", "/v1/files/tar", query(root, ""), bigEvil, 400, "path_outside_workspace"},
		{"tar into symlinked dest", "PUT", "/v1/files/tar", query(root, "out/x"), testTar(t, nil, nil, nil), 400, "path_outside_workspace"},
		{"tar out of outside", "GET", "/v1/files/tar", query(root, "out/x"), nil, 400, "path_outside_workspace"},
		{"tar out missing", "GET", "/v1/files/tar", query(root, "nope"), nil, 404, "not_found"},
		{"list absolute", "GET", "/v1/files/list", query(root, "/etc"), nil, 400, "path_outside_workspace"},
		{"list bad recursive", "GET", "/v1/files/list", query(root, "", "recursive", "yes"), nil, 400, "invalid_argument"},
		{"read symlink", "GET", "/v1/files/read", query(root, "link"), nil, 400, "invalid_argument"},
		{"read through symlink to outside", "GET", "/v1/files/read", query(root, "out/x"), nil, 400, "path_outside_workspace"},
		{"read missing", "GET", "/v1/files/read", query(root, "nope"), nil, 404, "not_found"},
		{"read max too big", "GET", "/v1/files/read", query(root, "a.txt", "max_bytes", "16777217"), nil, 400, "invalid_argument"},
		{"write through symlinked parent", "PUT", "/v1/files/write", query(root, "out/x"), []byte("x"), 400, "path_outside_workspace"},
		{"write over 1 MiB", "PUT", "/v1/files/write", query(root, "big"), big, 400, "invalid_argument"},
		{"write bad mode", "PUT", "/v1/files/write", query(root, "m", "mode", "0999"), nil, 400, "invalid_argument"},
		{"remove root", "POST", "/v1/files/remove", query(root, ""), nil, 400, "invalid_argument"},
		{"remove missing", "POST", "/v1/files/remove", query(root, "nope"), nil, 404, "not_found"},
		{"relative root", "GET", "/v1/files/list", query("ws", ""), nil, 400, "invalid_argument"},
		{"missing root", "GET", "/v1/files/list", query(filepath.Join(tmp, "nope"), ""), nil, 404, "not_found"},
	}
	c := newClient(t, testServer(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := call(t, c, tt.method, tt.route, tt.q, bytes.NewReader(tt.body))
			var e ErrorResponse
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != tt.wantStatus || e.Error.Code != tt.wantCode {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantCode)
			}
		})
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 0 || exists(filepath.Join(tmp, "evil")) || exists(filepath.Join(root, "big")) {
		t.Errorf("something was written: outside has %d entries", len(entries))
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func TestFilesReadWriteListRemove(t *testing.T) {
	root := t.TempDir()
	c := newClient(t, testServer(t))
	exact := bytes.Repeat([]byte("z"), 1<<20)
	resp, body := call(t, c, "PUT", "/v1/files/write", query(root, "./sub/big.bin"), bytes.NewReader(exact))
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"path":"sub/big.bin","bytes":1048576}` {
		t.Fatalf("write 1 MiB: %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, c, "PUT", "/v1/files/write", query(root, "run.sh", "mode", "0755"), strings.NewReader("#!/bin/sh\n"))
	if resp.StatusCode != 200 {
		t.Fatalf("write: %d %s", resp.StatusCode, body)
	}

	for _, tt := range []struct {
		max, wantBody, wantTrunc string
	}{{"", "#!/bin/sh\n", "false"}, {"4", "#!/b", "true"}, {"10", "#!/bin/sh\n", "false"}, {"0", "", "true"}} {
		resp, body = call(t, c, "GET", "/v1/files/read", query(root, "run.sh", "max_bytes", tt.max), nil)
		if resp.StatusCode != 200 || string(body) != tt.wantBody || resp.Header.Get("pyro-size") != "10" ||
			resp.Header.Get("pyro-truncated") != tt.wantTrunc || resp.Header.Get("content-type") != "application/octet-stream" {
			t.Errorf("read max %q: %d %q %v", tt.max, resp.StatusCode, body, resp.Header)
		}
	}

	resp, body = call(t, c, "GET", "/v1/files/list", query(root, "", "recursive", "1"), nil)
	var list FilesListResponse
	if err := json.Unmarshal(body, &list); err != nil || resp.StatusCode != 200 {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	var got []string
	for _, e := range list.Entries {
		if _, err := time.Parse(time.RFC3339, e.Mtime); err != nil {
			t.Errorf("%s: mtime %q", e.Path, e.Mtime)
		}
		size := e.Size
		if e.Type == "dir" {
			size = 0
		}
		got = append(got, e.Path+" "+e.Type+" "+e.Mode+" "+fmt.Sprint(size))
	}
	if want := []string{"run.sh file 0755 10", "sub dir 0755 0", "sub/big.bin file 0644 1048576"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("list = %q, want %q", got, want)
	}
	resp, body = call(t, c, "GET", "/v1/files/list", query(root, "nope/.."), nil)
	if resp.StatusCode != 400 {
		t.Errorf("list nope/..: %d %s", resp.StatusCode, body)
	}

	resp, body = call(t, c, "POST", "/v1/files/remove", query(root, "sub"), nil)
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"removed":true}` || exists(filepath.Join(root, "sub")) {
		t.Errorf("remove: %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, c, "GET", "/v1/files/list", query(root, ""), nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"path":"run.sh"`) || strings.Contains(string(body), "sub") {
		t.Errorf("list after remove: %d %s", resp.StatusCode, body)
	}
}
