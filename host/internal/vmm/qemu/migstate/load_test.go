package migstate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// loaded is what a reference loader (QEMU 7.2's ram_load_precopy, in
// short) makes of a stream: each RAM block's pages as the stream leaves
// them, and the bytes from the first device section on.
type loaded struct {
	ignore bool
	blocks []block
	pages  map[string]map[uint64][]byte
	tail   []byte
}

// load parses a whole stream as QEMU's loader does: a CONTINUE page is in
// the previous page's block, across sections too; a later page of an
// address replaces an earlier one.
func load(in []byte) (*loaded, error) {
	r := bytes.NewReader(in)
	var short error // a field the stream ends in
	take := func(n int) []byte {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			short = io.ErrUnexpectedEOF
		}
		return b
	}
	be32 := func() uint32 { return binary.BigEndian.Uint32(take(4)) }
	be64 := func() uint64 { return binary.BigEndian.Uint64(take(8)) }
	u8 := func() byte { return take(1)[0] }
	str8 := func() string { return string(take(int(u8()))) }
	if be32() != fileMagic || be32() != fileVersion || u8() != secConfig {
		return nil, errors.New("no header")
	}
	l := &loaded{pages: map[string]map[uint64][]byte{}}
	take(int(be32()))
	for r.Len() > 0 {
		if b, _ := r.ReadByte(); b != secSubsection {
			_ = r.UnreadByte()
			break
		}
		sub := str8()
		be32()
		switch sub {
		case subPageBits:
			take(4)
		case subUUID:
			take(16)
		case subCapability:
			for range be32() {
				l.ignore = l.ignore || str8() == ignoreShared
			}
		}
	}
	last := ""
	for r.Len() > 0 {
		t := u8()
		if short != nil {
			return nil, short
		}
		if t == secFull || t == secEOF {
			l.tail = append([]byte{t}, in[len(in)-r.Len():]...)
			return l, nil
		}
		if be32(); t == secStart {
			str8()
			take(8)
		}
		for {
			word := be64()
			if short != nil {
				return nil, short
			}
			flags, offset := word&flagMask, word&^flagMask
			if flags == flagEOS {
				break
			}
			if flags == flagMemSize {
				for total := offset; total > 0; {
					b := block{name: str8(), length: be64()}
					if l.ignore {
						b.addr = be64()
					}
					if b.length == 0 || b.length > total {
						return nil, errors.New("bad block list")
					}
					total -= b.length
					l.blocks = append(l.blocks, b)
					l.pages[b.name] = map[uint64][]byte{}
				}
				continue
			}
			if flags&flagContinue == 0 {
				last = str8()
			}
			pages, ok := l.pages[last]
			if !ok {
				return nil, fmt.Errorf("page of unknown block %q", last)
			}
			if flags&^flagContinue == flagZero {
				pages[offset] = bytes.Repeat(take(1), pageSize)
			} else {
				pages[offset] = take(pageSize)
			}
			if short != nil {
				return nil, short
			}
		}
		if b, _ := r.ReadByte(); b == secFooter {
			take(4)
		} else {
			_ = r.UnreadByte()
		}
	}
	return nil, io.ErrUnexpectedEOF
}

// sameMachine says how the split of in (its devices-only state and RAM
// image) differs from in itself, as a loader sees them: "" when it does
// not. The largest block becomes "mem", its pages the image's (pages never
// sent are zero), every other block's pages stay in the state.
func sameMachine(in, state, image []byte) string {
	want, err := load(in)
	if err != nil {
		return "input: " + err.Error()
	}
	got, err := load(state)
	if err != nil {
		return "devices state: " + err.Error()
	}
	if !got.ignore {
		return "the devices state lacks x-ignore-shared"
	}
	if !bytes.Equal(got.tail, want.tail) {
		return "the device sections differ"
	}
	main := 0
	for i, b := range want.blocks {
		if b.length > want.blocks[main].length {
			main = i
		}
	}
	renamed := slices.Clone(want.blocks)
	renamed[main].name = "mem"
	if !want.ignore {
		for i := range renamed {
			renamed[i].addr = 0
		}
	}
	if !slices.Equal(got.blocks, renamed) {
		return fmt.Sprintf("blocks %+v, want %+v", got.blocks, renamed)
	}
	for i, b := range want.blocks {
		if i == main {
			continue
		}
		if len(got.pages[b.name]) != len(want.pages[b.name]) {
			return fmt.Sprintf("block %q: %d pages, want %d", b.name, len(got.pages[b.name]), len(want.pages[b.name]))
		}
		for off, data := range want.pages[b.name] {
			if !bytes.Equal(got.pages[b.name][off], data) {
				return fmt.Sprintf("block %q page %#x differs", b.name, off)
			}
		}
	}
	if len(got.pages["mem"]) != 0 {
		return "guest RAM pages left in the devices state"
	}
	ram := want.blocks[main]
	if uint64(len(image)) != ram.length {
		return fmt.Sprintf("image %d bytes, want %d", len(image), ram.length)
	}
	zero := make([]byte, pageSize)
	for off := uint64(0); off < ram.length; off += pageSize {
		data, ok := want.pages[ram.name][off]
		if !ok {
			data = zero
		}
		if !bytes.Equal(image[off:off+pageSize], data) {
			return fmt.Sprintf("image page %#x differs", off)
		}
	}
	return ""
}
