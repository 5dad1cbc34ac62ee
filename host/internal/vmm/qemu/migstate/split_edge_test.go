package migstate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// randomStream is a stream as QEMU could write one: 1-3 RAM blocks of
// distinct sizes (the largest in any place of the list), pages of them in
// any order over 1-4 sections, CONTINUE whenever a page is in the previous
// page's block (across sections too), an address sent again (a zero page
// after data, data after a zero page), zero pages of any fill byte.
func randomStream(r *rand.Rand) []byte {
	var s stream
	ignore := r.IntN(2) == 0
	if ignore {
		s.header(ignoreShared)
	} else {
		s.header()
	}
	var blocks []block
	var total uint64
	for i := range 1 + r.IntN(3) {
		length := uint64(1+r.IntN(8)+8*i) * pageSize
		blocks = append(blocks, block{name: fmt.Sprintf("blk%d", i), length: length, addr: uint64(r.IntN(1 << 20))})
		total += length
	}
	r.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	s.section(secStart)
	s.be64(total | flagMemSize)
	for _, b := range blocks {
		s.str8(b.name)
		s.be64(b.length)
		if ignore {
			s.be64(b.addr)
		}
	}
	last := -1
	sections := 1 + r.IntN(4)
	for sec := range sections {
		if sec > 0 {
			s.be64(flagEOS)
			s.footer()
			if sec == sections-1 {
				s.section(secEnd)
			} else {
				s.section(secPart)
			}
		}
		for range r.IntN(40) {
			b := r.IntN(len(blocks))
			name := blocks[b].name
			if b == last && r.IntN(4) != 0 {
				name = ""
			}
			last = b
			offset := uint64(r.IntN(int(blocks[b].length/pageSize))) * pageSize
			switch r.IntN(3) {
			case 0:
				s.page(name, offset, []byte{0})
			case 1:
				s.page(name, offset, []byte{byte(r.IntN(256))})
			default:
				page := make([]byte, pageSize)
				for i := range page {
					page[i] = byte(r.Uint32())
				}
				s.page(name, offset, page)
			}
		}
	}
	s.be64(flagEOS)
	s.footer()
	s.Write(devices)
	return s.Bytes()
}

func TestSplitKeepsEveryPageOfRandomStreams(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 13))
	for i := range 500 {
		in := randomStream(r)
		_, state, image, err := split(t, in)
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if diff := sameMachine(in, state, image); diff != "" {
			t.Fatalf("stream %d: %s", i, diff)
		}
	}
}

// ramStream is a stream with one RAM block of length bytes and the records
// body writes after its block list.
func ramStream(length uint64, body func(s *stream)) []byte {
	var s stream
	s.header()
	s.section(secStart)
	s.be64(length | flagMemSize)
	s.str8("microvm.ram")
	s.be64(length)
	body(&s)
	s.be64(flagEOS)
	s.footer()
	s.Write(devices)
	return s.Bytes()
}

func TestSplitRefusesMalformedStreams(t *testing.T) {
	beforeList := func() []byte {
		var s stream
		s.header()
		s.section(secStart)
		s.page("microvm.ram", 0, filled(1))
		return s.Bytes()
	}()
	twoBlocksOneName := func() []byte {
		var s stream
		s.header()
		s.section(secStart)
		s.be64(3*pageSize | flagMemSize)
		s.str8("pc.bios")
		s.be64(pageSize)
		s.str8("pc.bios")
		s.be64(2 * pageSize)
		return s.Bytes()
	}()
	for name, tc := range map[string]struct {
		in          []byte
		unsupported bool
	}{
		"a page before the block list": {in: beforeList},
		"a CONTINUE page first": {in: ramStream(4*pageSize, func(s *stream) {
			s.page("", 0, filled(1))
		})},
		"a page past its block": {in: ramStream(4*pageSize, func(s *stream) {
			s.page("microvm.ram", 4*pageSize, filled(1))
		})},
		"a page whose end overflows": {in: ramStream(4*pageSize, func(s *stream) {
			s.page("microvm.ram", 1<<64-pageSize, filled(1))
		})},
		"a zero page whose end overflows": {in: ramStream(4*pageSize, func(s *stream) {
			s.page("microvm.ram", 1<<64-pageSize, []byte{0})
		})},
		"a page of an unknown block": {in: ramStream(4*pageSize, func(s *stream) {
			s.page("pc.bios", 0, filled(1))
		})},
		"two blocks of one name": {in: twoBlocksOneName},
		"a guest RAM of 4 EiB":   {in: ramStream(1<<62, func(*stream) {}), unsupported: true},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := split(t, tc.in)
			if err == nil {
				t.Fatal("split")
			}
			if errors.Is(err, ErrUnsupported) != tc.unsupported {
				t.Fatalf("unsupported %v: %v", !tc.unsupported, err)
			}
		})
	}
}

// A stream cut anywhere (a checkpoint that did not complete, a state file
// cut short) is an error: never a devices state that QEMU cannot load. It is
// cut at every byte but those inside a page's run of one fill byte.
func TestSplitRefusesAStreamCutAnywhere(t *testing.T) {
	in := saved("microvm.ram", false)
	memory, err := os.Create(filepath.Join(t.TempDir(), "memory"))
	if err != nil {
		t.Fatal(err)
	}
	defer memory.Close()
	for size := range len(in) {
		if size > 0 && size+1 < len(in) && in[size-1] == in[size] && in[size] == in[size+1] {
			continue // inside a page's run of one fill byte: its ends are tried
		}
		if _, err := Split(bytes.NewReader(in[:size]), io.Discard, memory, Options{}); err == nil {
			t.Fatalf("a stream cut at byte %d of %d was split", size, len(in))
		}
	}
}

// The stream's end: QEMU_VM_EOF, then QEMU_VM_VMDESCRIPTION and the JSON
// description of the devices, whose length comes before it.
func TestSplitChecksTheEndOfTheStream(t *testing.T) {
	good := saved("mem", true)
	desc := bytes.Index(good, []byte{secEOF, secVMDesc})
	for name, in := range map[string][]byte{
		"no description":          good[:desc+1],
		"a description cut short": good[:len(good)-1],
		"a byte too many":         append(bytes.Clone(good), 0),
		"a description not JSON":  bytes.Replace(good, []byte(`"devices"`), []byte(`"devices"]`), 1),
		"no EOF before it": func() []byte {
			b := bytes.Clone(good)
			b[desc] = 0x7e
			return b
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, _, err := split(t, in); err == nil || errors.Is(err, ErrUnsupported) {
				t.Fatalf("want an error of its own, got %v", err)
			}
		})
	}
	binary.BigEndian.PutUint32(good[desc+2:], 1<<31) // a length past the end
	if _, _, _, err := split(t, good); err == nil {
		t.Fatal("a description longer than the stream was split")
	}
}
