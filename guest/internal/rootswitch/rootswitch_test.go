package rootswitch

import "testing"

func TestParseCmdline(t *testing.T) {
	cases := []struct {
		in   string
		want RootSpec
	}{
		{"console=ttyS0 quiet", RootSpec{"/dev/vda", "ext4", false}},
		{"root=/dev/vdb rootfstype=ext2 ro", RootSpec{"/dev/vdb", "ext2", true}},
		{"root=/dev/vda ro rw", RootSpec{"/dev/vda", "ext4", false}},
		// only device paths: LABEL=/UUID= would need a lookup we do not do
		{"root=LABEL=pyroroot", RootSpec{"/dev/vda", "ext4", false}},
	}
	for _, c := range cases {
		if got := ParseCmdline(c.in); got != c.want {
			t.Errorf("ParseCmdline(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
