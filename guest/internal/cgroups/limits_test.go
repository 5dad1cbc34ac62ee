package cgroups

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDefaults(t *testing.T) {
	tests := []struct {
		name    string
		m       Machine
		maxPids int
		want    Limits
	}{
		{"1 GiB guest", machine1G, 0, Limits{
			MaxPids: 3571, UserPidsMax: 7142, UserMemoryMax: 893093376, AgentMemoryMin: 63792384,
		}},
		{"128 MiB guest: the 32 MiB floor", Machine{MemTotal: 100 * mib, ThreadsMax: 800}, 0, Limits{
			MaxPids: 350, UserPidsMax: 700, UserMemoryMax: 68 * mib, AgentMemoryMin: 16 * mib,
		}},
		{"8 GiB guest: the 256 MiB and 512 task ceilings, leaf at 4096", Machine{MemTotal: 8000 * mib, ThreadsMax: 64000}, 0, Limits{
			MaxPids: 4096, UserPidsMax: 63488, UserMemoryMax: 7744 * mib, AgentMemoryMin: 128 * mib,
		}},
		{"tiny: reserve at most half, at least 64 user tasks", Machine{MemTotal: 40 * mib, ThreadsMax: 100}, 0, Limits{
			MaxPids: 32, UserPidsMax: 64, UserMemoryMax: 20 * mib, AgentMemoryMin: 10 * mib,
		}},
		{"host's max_pids is taken as given", machine1G, 100, Limits{
			MaxPids: 100, UserPidsMax: 7142, UserMemoryMax: 893093376, AgentMemoryMin: 63792384,
		}},
		{"even above the subtree cap", machine1G, 100000, Limits{
			MaxPids: 100000, UserPidsMax: 7142, UserMemoryMax: 893093376, AgentMemoryMin: 63792384,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Defaults(tt.m, tt.maxPids); got != tt.want {
				t.Errorf("Defaults(%+v, %d)\n got %+v\nwant %+v", tt.m, tt.maxPids, got, tt.want)
			}
		})
	}
}

func TestReadMachine(t *testing.T) {
	tests := []struct {
		name, meminfo, threads string
		want                   Machine
		wantErr                bool
	}{
		{"guest", "MemTotal:         996756 kB\nMemFree:          900000 kB\n", "7654\n", machine1G, false},
		{"no MemTotal", "MemFree: 1 kB\n", "7654\n", Machine{}, true},
		{"bad threads-max", "MemTotal: 1024 kB\n", "lots\n", Machine{}, true},
		{"no threads-max", "MemTotal: 1024 kB\n", "", Machine{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proc := t.TempDir()
			must(t, os.MkdirAll(filepath.Join(proc, "sys", "kernel"), 0o755))
			must(t, os.WriteFile(filepath.Join(proc, "meminfo"), []byte(tt.meminfo), 0o644))
			if tt.threads != "" {
				must(t, os.WriteFile(filepath.Join(proc, "sys", "kernel", "threads-max"), []byte(tt.threads), 0o644))
			}
			got, err := ReadMachine(proc)
			if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
				t.Errorf("ReadMachine = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
