package secrets

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// tmpfsSize holds a full set (MaxSecrets values of MaxValueLen bytes) plus
// the temp copy of one value being replaced; tmpfs only uses what is
// written, so the cap costs nothing until then.
const tmpfsSize = "5m"

// MountTmpfs mounts a private tmpfs on dir unless something is mounted
// there already: mode 0700, no setuid, devices or exec.
func MountTmpfs(dir string) error {
	var st, parent unix.Stat_t
	if unix.Stat(dir, &st) == nil && unix.Stat(filepath.Dir(dir), &parent) == nil && st.Dev != parent.Dev {
		return nil
	}
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
	if err := unix.Mount("tmpfs", dir, "tmpfs", flags, "mode=0700,size="+tmpfsSize); err != nil {
		return fmt.Errorf("mount tmpfs on %s: %w", dir, err)
	}
	return nil
}
