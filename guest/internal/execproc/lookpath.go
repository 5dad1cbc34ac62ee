package execproc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// errNotFound mirrors a shell's "command not found" (exit 127).
var errNotFound = errors.New("executable file not found in $PATH")

// LookPath resolves name against the command's own PATH (not the agent's),
// like execvp: the first executable match wins; a match that exists but is
// not executable is returned so the spawn fails with EACCES (exit 126).
func LookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	denied := ""
	for _, dir := range filepath.SplitList(envValue(env, "PATH")) {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + name // not Join: "./x" must keep its slash
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() {
			continue
		}
		if fi.Mode()&0o111 != 0 {
			return p, nil
		}
		if denied == "" {
			denied = p
		}
	}
	if denied != "" {
		return denied, nil
	}
	return "", &fs.PathError{Op: "exec", Path: name, Err: errNotFound}
}
