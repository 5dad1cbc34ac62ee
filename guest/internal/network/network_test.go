package network

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseCmdline(t *testing.T) {
	addrs := func(ss ...string) []netip.Addr {
		var out []netip.Addr
		for _, s := range ss {
			out = append(out, netip.MustParseAddr(s))
		}
		return out
	}
	base := "console=ttyS0 reboot=k panic=1 init=/sbin/pyro-agent"
	tests := []struct {
		name    string
		cmdline string
		wantOK  bool
		want    Config
		wantErr string // "" = valid
	}{
		{"absent", base, false, Config{}, ""},
		{"empty command line", "", false, Config{}, ""},
		{"similar name is not it", base + " pyro.network=1 xpyro.net=10.0.0.2/24,10.0.0.1", false, Config{}, ""},
		{"address and gateway", base + " pyro.net=172.29.0.2/30,172.29.0.1", true,
			Config{Addr: netip.MustParsePrefix("172.29.0.2/30"), Gateway: netip.MustParseAddr("172.29.0.1")}, ""},
		{"one DNS", "pyro.net=172.29.0.2/30,172.29.0.1,1.1.1.1 quiet", true,
			Config{Addr: netip.MustParsePrefix("172.29.0.2/30"), Gateway: netip.MustParseAddr("172.29.0.1"), DNS: addrs("1.1.1.1")}, ""},
		{"two DNS, one IPv6", "pyro.net=10.0.0.2/24,10.0.0.1,8.8.8.8,2001:4860:4860::8888", true,
			Config{Addr: netip.MustParsePrefix("10.0.0.2/24"), Gateway: netip.MustParseAddr("10.0.0.1"), DNS: addrs("8.8.8.8", "2001:4860:4860::8888")}, ""},
		{"IPv6", "pyro.net=fd00::2/64,fd00::1", true,
			Config{Addr: netip.MustParsePrefix("fd00::2/64"), Gateway: netip.MustParseAddr("fd00::1")}, ""},
		{"last one wins", "pyro.net=10.0.0.2/24,10.0.0.1 pyro.net=10.1.0.2/24,10.1.0.1", true,
			Config{Addr: netip.MustParsePrefix("10.1.0.2/24"), Gateway: netip.MustParseAddr("10.1.0.1")}, ""},
		{"empty value", "pyro.net=", true, Config{}, "want IP/PREFIX"},
		{"no gateway", "pyro.net=10.0.0.2/24", true, Config{}, "want IP/PREFIX"},
		{"no prefix length", "pyro.net=10.0.0.2,10.0.0.1", true, Config{}, "address"},
		{"prefix too long", "pyro.net=10.0.0.2/33,10.0.0.1", true, Config{}, "address"},
		{"bad gateway", "pyro.net=10.0.0.2/24,gateway", true, Config{}, "gateway"},
		{"mixed versions", "pyro.net=10.0.0.2/24,fd00::1", true, Config{}, "IP versions"},
		{"bad DNS", "pyro.net=10.0.0.2/24,10.0.0.1,dns.example", true, Config{}, "dns"},
		{"empty DNS", "pyro.net=10.0.0.2/24,10.0.0.1,", true, Config{}, "dns"},
		{"three DNS", "pyro.net=10.0.0.2/24,10.0.0.1,1.1.1.1,8.8.8.8,9.9.9.9", true, Config{}, "want IP/PREFIX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := ParseCmdline(tt.cmdline)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestWriteResolvConf(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resolv.conf")
	if err := os.Symlink("/nonexistent/stub-resolv.conf", path); err != nil {
		t.Fatal(err)
	}
	servers := []netip.Addr{netip.MustParseAddr("1.1.1.1"), netip.MustParseAddr("2606:4700:4700::1111")}
	if err := WriteResolvConf(path, servers); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path) // a regular file now, not the symlink's target
	if err != nil {
		t.Fatal(err)
	}
	if want := "nameserver 1.1.1.1\nnameserver 2606:4700:4700::1111\n"; string(b) != want {
		t.Errorf("got %q, want %q", b, want)
	}
	if fi, _ := os.Lstat(path); !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temp file left behind: %v", entries)
	}
	if err := WriteResolvConf(filepath.Join(dir, "missing", "resolv.conf"), servers); err == nil {
		t.Error("no error for a missing directory")
	}
}
