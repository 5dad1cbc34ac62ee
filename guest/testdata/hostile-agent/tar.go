package main

import (
	"archive/tar"
	"net/http"
	"strings"
	"time"
)

// filesTar answers GET /v1/files/tar. The root (".") gets a valid tar, so
// create can capture its baseline; an export of `<mode>/<rest>` gets a tar
// built to escape the export target. `rest` names a host path the test
// watches (its sentinel directory), given as the guest path's tail so the
// stand-in can aim at it.
func filesTar(w http.ResponseWriter, r *http.Request) {
	m, rest, _ := strings.Cut(r.URL.Query().Get("path"), "/")
	abs := "/" + rest // the sentinel, absolute
	w.Header().Set("content-type", "application/x-tar")
	if m == "garbage" {
		w.WriteHeader(200)
		_, _ = w.Write([]byte(strings.Repeat("not a tar ", 200)))
		return
	}
	w.WriteHeader(200)
	tw := tar.NewWriter(w)
	defer tw.Close()
	dir(tw, "./")
	switch m {
	case "dotdot":
		file(tw, "./ok.txt", "fine")
		file(tw, "../escape.txt", "escaped")
		file(tw, "./a/../../escape2.txt", "escaped")
	case "absolute":
		file(tw, abs+"/abs.txt", "escaped")
	case "symlink-abs": // a link to the sentinel, then a file written through it
		link(tw, tar.TypeSymlink, "./link", abs)
		file(tw, "./link/through-abs.txt", "escaped")
	case "symlink-up": // rest is the sentinel's name beside the export target
		link(tw, tar.TypeSymlink, "./up", "../"+rest)
		file(tw, "./up/through-up.txt", "escaped")
	case "hardlink":
		link(tw, tar.TypeLink, "./pw", abs+"/secret.txt")
	case "hardlink-up":
		link(tw, tar.TypeLink, "./pw", "../"+rest+"/secret.txt")
	case "device":
		_ = tw.WriteHeader(&tar.Header{Name: "./null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3, Mode: 0o666, ModTime: time.Now()})
	}
}

func dir(tw *tar.Writer, name string) {
	_ = tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Now()})
}

func file(tw *tar.Writer, name, body string) {
	_ = tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)), ModTime: time.Now()})
	_, _ = tw.Write([]byte(body))
}

func link(tw *tar.Writer, typ byte, name, target string) {
	_ = tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Linkname: target, Mode: 0o777, ModTime: time.Now()})
}
