package migstate

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// stream builds a migration stream as QEMU 7.2 writes one (savevm.c, ram.c).
type stream struct{ bytes.Buffer }

func (s *stream) u8(v byte)     { s.WriteByte(v) }
func (s *stream) be32(v uint32) { s.Write(binary.BigEndian.AppendUint32(nil, v)) }
func (s *stream) be64(v uint64) { s.Write(binary.BigEndian.AppendUint64(nil, v)) }
func (s *stream) str8(v string) { s.u8(byte(len(v))); s.WriteString(v) }

// header writes the file header and the configuration section; with caps,
// the capabilities subsection lists them.
func (s *stream) header(caps ...string) {
	s.be32(fileMagic)
	s.be32(fileVersion)
	s.u8(secConfig)
	s.be32(7)
	s.WriteString("microvm")
	if len(caps) > 0 {
		s.u8(secSubsection)
		s.str8(subCapability)
		s.be32(1)
		s.be32(uint32(len(caps)))
		for _, c := range caps {
			s.str8(c)
		}
	}
}

// section writes a RAM section header (START names the section).
func (s *stream) section(t byte) {
	s.u8(t)
	s.be32(2)
	if t == secStart {
		s.str8("ram")
		s.be32(0)
		s.be32(4)
	}
}

func (s *stream) footer() { s.u8(secFooter); s.be32(2) }

// page writes one page record; name "" continues the previous block.
func (s *stream) page(name string, offset uint64, data []byte) {
	flags := uint64(flagPage)
	if len(data) == 1 {
		flags = flagZero
	}
	if name == "" {
		flags |= flagContinue
	}
	s.be64(offset | flags)
	if name != "" {
		s.str8(name)
	}
	s.Write(data)
}

// devices is a stand-in for the device sections and the end of the stream
// (QEMU_VM_EOF, then the devices' JSON description, its length before it):
// Split copies whatever follows the RAM sections as it is.
var devices = func() []byte {
	desc := `{"page_size": 4096, "devices": [{"name": "cpus", "instance_id": 0}]}`
	b := []byte{secFull, 0, 0, 0, 3, 4, 'c', 'p', 'u', 's', 0, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0xbb, secFooter, 0, 0, 0, 3, secEOF, secVMDesc}
	return append(binary.BigEndian.AppendUint32(b, uint32(len(desc))), desc...)
}()

func filled(b byte) []byte { return bytes.Repeat([]byte{b}, pageSize) }

// saved is a state of a VM with 16 pages of RAM (block ramName) and one of
// firmware, pages interleaved across blocks and sections.
func saved(ramName string, ignore bool) []byte {
	var s stream
	var caps []string
	if ignore {
		caps = []string{ignoreShared}
	}
	s.header(caps...)
	s.section(secStart)
	s.be64((16+1)*pageSize | flagMemSize)
	for _, b := range []struct {
		name string
		size uint64
	}{{ramName, 16 * pageSize}, {"pc.bios", pageSize}} {
		s.str8(b.name)
		s.be64(b.size)
		if ignore {
			s.be64(0xfeed)
		}
	}
	s.be64(flagEOS)
	s.footer()
	s.section(secPart)
	s.page(ramName, 0, filled(1))
	s.page("", pageSize, filled(2))
	s.page("", 2*pageSize, []byte{0})
	s.page("pc.bios", 0, filled(9))
	s.page(ramName, 5*pageSize, filled(5))
	s.page("", 6*pageSize, filled(6))
	s.be64(flagEOS)
	s.footer()
	s.section(secEnd)
	s.page("", 6*pageSize, []byte{0}) // written before: the image must be zero there again
	s.page("", 7*pageSize, []byte{7}) // a zero page of another fill byte
	s.be64(flagEOS)
	s.footer()
	s.Write(devices)
	return s.Bytes()
}

// expected is saved's devices-only state: x-ignore-shared listed, the RAM
// block renamed "mem" with an address, only the firmware's page left.
func expected(ignore bool) []byte {
	var s stream
	s.header(ignoreShared)
	s.section(secStart)
	s.be64((16+1)*pageSize | flagMemSize)
	s.str8("mem")
	s.be64(16 * pageSize)
	addr := uint64(0)
	if ignore {
		addr = 0xfeed
	}
	s.be64(addr)
	s.str8("pc.bios")
	s.be64(pageSize)
	s.be64(addr)
	s.be64(flagEOS)
	s.footer()
	s.section(secPart)
	s.page("pc.bios", 0, filled(9))
	s.be64(flagEOS)
	s.footer()
	s.section(secEnd)
	s.be64(flagEOS)
	s.footer()
	s.Write(devices)
	return s.Bytes()
}

func split(t *testing.T, in []byte) (Result, []byte, []byte, error) {
	t.Helper()
	memory, err := os.Create(filepath.Join(t.TempDir(), "memory"))
	if err != nil {
		t.Fatal(err)
	}
	defer memory.Close()
	var state bytes.Buffer
	result, err := Split(bytes.NewReader(in), &state, memory, Options{})
	image, readErr := os.ReadFile(memory.Name())
	if readErr != nil {
		t.Fatal(readErr)
	}
	return result, state.Bytes(), image, err
}

func TestSplitMovesTheGuestRAMToTheImageAndKeepsTheRest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ramName string
		ignore  bool
	}{
		{"a cold VM's state (no x-ignore-shared, block microvm.ram)", "microvm.ram", false},
		{"a template clone's state (x-ignore-shared, block mem)", "mem", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			result, state, image, err := split(t, saved(tc.ramName, tc.ignore))
			if err != nil {
				t.Fatal(err)
			}
			if want := expected(tc.ignore); !bytes.Equal(state, want) {
				t.Fatalf("devices state:\n got %x\nwant %x", state, want)
			}
			wantImage := make([]byte, 16*pageSize)
			for page, fill := range map[int]byte{0: 1, 1: 2, 5: 5, 7: 7} {
				copy(wantImage[page*pageSize:], filled(fill))
			}
			if !bytes.Equal(image, wantImage) {
				t.Fatalf("RAM image differs (%d bytes, want %d)", len(image), len(wantImage))
			}
			want := Result{MemoryBytes: 16 * pageSize, PagesWritten: 6, StateBytes: int64(len(state))}
			if result != want {
				t.Fatalf("result %+v, want %+v", result, want)
			}
		})
	}
}

func TestSplitRefusesWhatItDoesNotKnow(t *testing.T) {
	good := saved("mem", true)
	xbzrle := bytes.Clone(good)
	// The first page record of the PART section: its flags become XBZRLE's (0x40).
	at := bytes.Index(xbzrle, append(binary.BigEndian.AppendUint64(nil, flagPage), 3, 'm', 'e', 'm'))
	binary.BigEndian.PutUint64(xbzrle[at:], 0x40)
	for name, in := range map[string][]byte{
		"not a state":        []byte("hello, world, this is no VM state"),
		"an XBZRLE page":     xbzrle,
		"another iterable":   bytes.Replace(good, []byte{3, 'r', 'a', 'm'}, []byte{3, 'b', 'l', 'k'}, 1),
		"format version 2":   append(append([]byte{}, good[:7]...), append([]byte{2}, good[8:]...)...),
		"a state cut in two": good[:len(good)/2],
	} {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := split(t, in)
			if err == nil {
				t.Fatal("split")
			}
			if name == "a state cut in two" {
				if errors.Is(err, ErrUnsupported) {
					t.Fatalf("a truncated state is an error of its own: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("want ErrUnsupported, got %v", err)
			}
		})
	}
}
