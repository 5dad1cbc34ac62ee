package rootswitch

import (
	"reflect"
	"testing"
)

func TestParseCmdline(t *testing.T) {
	cases := []struct {
		in   string
		want RootSpec
	}{
		{"console=ttyS0 quiet", RootSpec{"/dev/vda", "ext4", false, nil}},
		{"root=/dev/vdb rootfstype=ext2 ro", RootSpec{"/dev/vdb", "ext2", true, nil}},
		{"root=/dev/vda ro rw", RootSpec{"/dev/vda", "ext4", false, nil}},
		// only device paths: LABEL=/UUID= would need a lookup we do not do
		{"root=LABEL=pyroroot", RootSpec{"/dev/vda", "ext4", false, nil}},
		// group names never climb out of the modules directory
		{"pyro.modules=net,,vsock,../x", RootSpec{"/dev/vda", "ext4", false, []string{"net", "vsock"}}},
	}
	for _, c := range cases {
		if got := ParseCmdline(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseCmdline(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
