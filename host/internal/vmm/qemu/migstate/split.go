// Package migstate splits a saved QEMU VM state that carries its RAM (a
// migration stream, QEMU 7.2's format, precopy, 4 KiB target pages) into a
// RAM image and a state of devices only, the pair a VM template is made of.
//
// A workspace fork needs it: the parent's checkpoint (QMP `migrate` while
// its vCPUs are stopped) holds every page of its RAM in the stream, and a
// VM that loads such a stream copies each page into memory of its own. Once
// split, the RAM is one file that every fork maps privately (copy-on-write:
// the forks share its pages in the page cache until they write them), and
// the devices state is loaded with x-ignore-shared as a template clone's.
//
// Only the part of the stream before the device sections is parsed: the
// file header, the configuration section and the "ram" sections. A RAM
// section lists the RAM blocks (name, length, and the guest address when
// x-ignore-shared is on), then pages: a big-endian u64 of page offset and
// flags, the block's name unless it continues the previous page's block,
// and then a zero page's fill byte or the page's 4096 bytes. QEMU saves the
// RAM sections first and the devices after them, so everything from the
// first device section on is copied as it is, once its end is checked: the
// end-of-stream marker and the devices' JSON description (a stream cut short
// is an error, not a devices state that QEMU cannot load).
//
// The output is always in the x-ignore-shared format (the capability is
// listed in the configuration, each block carries an address), whatever the
// input was, so a loader sets the capability unconditionally; the largest
// block (the guest's RAM) is renamed to Options.MemoryBlock and its pages go
// to the RAM image, where zero pages stay holes. Other blocks (firmware)
// keep their pages in the stream.
package migstate

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Stream markers and RAM page flags of QEMU's migration format
// (migration/savevm.c and migration/ram.c).
const (
	fileMagic      = 0x5145564d // "QEVM"
	fileVersion    = 3
	secEOF         = 0x00
	secStart       = 0x01
	secPart        = 0x02
	secEnd         = 0x03
	secFull        = 0x04
	secSubsection  = 0x05
	secConfig      = 0x07
	secVMDesc      = 0x06 // the JSON description of the devices, after secEOF
	secFooter      = 0x7e
	flagZero       = 0x02
	flagMemSize    = 0x04
	flagPage       = 0x08
	flagEOS        = 0x10
	flagContinue   = 0x20
	pageSize       = 4096
	flagMask       = pageSize - 1
	ignoreShared   = "x-ignore-shared"
	subCapability  = "configuration/capabilities"
	subPageBits    = "configuration/target-page-bits"
	subUUID        = "configuration/uuid"
	maxRunBytes    = 1 << 20 // pages written to the image in one pwrite
	readBufferSize = 1 << 20
	// maxRAMBytes bounds the guest RAM (pyro's guests have 64 GiB at most): the image's size
	// and its bitmap of pages written (1/32768 of it) come from the stream.
	maxRAMBytes = 1 << 40
	// maxDevicesBytes bounds the device sections and the stream's end, read whole to check
	// that the stream ends (about 70 KB for pyro's VMs).
	maxDevicesBytes = 64 << 20
)

// Options of Split.
type Options struct {
	// MemoryBlock is the name the guest RAM's block gets in the output: the
	// id of the memory backend that maps the image (default "mem").
	MemoryBlock string
}

// Result says what Split wrote.
type Result struct {
	// MemoryBytes is the RAM image's size (the guest RAM's length), bytes.
	MemoryBytes int64 `json:"memory_bytes"`
	// PagesWritten counts the RAM pages that are not zero (4096 bytes each).
	PagesWritten int64 `json:"pages_written"`
	// StateBytes is the size of the devices-only state, bytes.
	StateBytes int64 `json:"state_bytes"`
}

// ErrUnsupported marks a stream this package does not split (compressed or
// XBZRLE pages, postcopy, an iterable section other than RAM, another
// format version): the caller keeps the whole stream instead.
var ErrUnsupported = errors.New("unsupported migration stream")

// block is one RAM block of the stream.
type block struct {
	name   string
	length uint64
	addr   uint64
}

// splitter holds one Split's state.
type splitter struct {
	in       *countingReader
	out      *bufio.Writer
	memory   *os.File
	opts     Options
	ignore   bool // the input has x-ignore-shared on: its blocks carry addresses
	blocks   []block
	main     int // index of the guest RAM block in blocks, -1 before the block list
	inLast   int // block of the input's previous page (for its CONTINUE flag)
	outLast  int // block of the output's previous page (for ours)
	ramID    uint32
	haveRAM  bool
	written  []uint64 // bitmap of RAM image pages written
	run      []byte   // pages waiting for one pwrite, from runStart
	runStart int64
	result   Result
}

// Split reads a saved state from in, writes its devices-only state to state
// and the guest RAM to memory (made exactly the RAM's length; pages that are
// zero are left as holes). Errors: ErrUnsupported (wrapped) for streams it
// does not handle, io errors of the three files, and malformed streams.
func Split(in io.Reader, state io.Writer, memory *os.File, opts Options) (Result, error) {
	if opts.MemoryBlock == "" {
		opts.MemoryBlock = "mem"
	}
	counted := &countingWriter{w: state}
	out := bufio.NewWriterSize(counted, readBufferSize)
	s := &splitter{in: &countingReader{r: bufio.NewReaderSize(in, readBufferSize)}, out: out, memory: memory, opts: opts, main: -1, inLast: -1, outLast: -1}
	err := s.split()
	if err == nil {
		err = s.flushRun()
	}
	if err == nil {
		err = out.Flush()
	}
	s.result.StateBytes = counted.read
	if err != nil {
		return s.result, fmt.Errorf("split VM state at byte %d: %w", s.in.read, err)
	}
	if s.main < 0 {
		return s.result, fmt.Errorf("split VM state: %w: no RAM section", ErrUnsupported)
	}
	return s.result, nil
}

func (s *splitter) split() error {
	if magic, err := s.in.be32(); err != nil || magic != fileMagic {
		return errors.Join(err, fmt.Errorf("%w: not a QEMU VM state (magic %#x)", ErrUnsupported, magic))
	}
	if v, err := s.in.be32(); err != nil || v != fileVersion {
		return errors.Join(err, fmt.Errorf("%w: format version %d", ErrUnsupported, v))
	}
	s.putBE32(fileMagic)
	s.putBE32(fileVersion)
	if t, err := s.in.u8(); err != nil || t != secConfig {
		return errors.Join(err, fmt.Errorf("%w: no configuration section", ErrUnsupported))
	}
	if err := s.configuration(); err != nil {
		return err
	}
	for {
		t, err := s.in.u8()
		if err != nil {
			return err
		}
		switch t {
		case secStart, secPart, secEnd:
			if err := s.ramSection(t); err != nil {
				return err
			}
		case secFull, secEOF:
			// The devices (and the end): QEMU writes them after every RAM section.
			return s.devices(t)
		default:
			return fmt.Errorf("%w: section type %#x", ErrUnsupported, t)
		}
	}
}

// configuration copies the configuration section (machine type, then the
// subsections QEMU writes in this order), adding x-ignore-shared to its
// capabilities when the input lacks it.
func (s *splitter) configuration() error {
	name, err := s.in.bytes32()
	if err != nil {
		return err
	}
	var pageBits, uuid []byte
	var caps []string
	for {
		next, err := s.in.peek()
		if err != nil {
			return err
		}
		if next != secSubsection {
			break
		}
		_, _ = s.in.u8()
		sub, err := s.in.str8()
		if err != nil {
			return err
		}
		if _, err := s.in.be32(); err != nil { // the subsection's version (1)
			return err
		}
		switch sub {
		case subPageBits:
			pageBits, err = s.in.take(4)
		case subUUID:
			uuid, err = s.in.take(16)
		case subCapability:
			caps, err = s.capabilities()
		default:
			err = fmt.Errorf("%w: configuration subsection %q", ErrUnsupported, sub)
		}
		if err != nil {
			return err
		}
	}
	s.ignore = slices.Contains(caps, ignoreShared)
	if !s.ignore {
		caps = append(caps, ignoreShared)
	}
	_ = s.out.WriteByte(secConfig)
	s.putBE32(uint32(len(name)))
	_, _ = s.out.Write(name)
	if pageBits != nil {
		s.putSubsection(subPageBits)
		_, _ = s.out.Write(pageBits)
	}
	s.putSubsection(subCapability)
	s.putBE32(uint32(len(caps)))
	for _, c := range caps {
		s.putStr8(c)
	}
	if uuid != nil {
		s.putSubsection(subUUID)
		_, _ = s.out.Write(uuid)
	}
	return nil
}

// capabilities reads the validated capabilities' names.
func (s *splitter) capabilities() ([]string, error) {
	n, err := s.in.be32()
	if err != nil {
		return nil, err
	}
	caps := make([]string, 0, min(n, 64))
	for range n {
		c, err := s.in.str8()
		if err != nil {
			return nil, err
		}
		caps = append(caps, c)
	}
	return caps, nil
}

// devices copies the device sections and the end of the stream, from the
// first section's type t on, as they are, once it has checked that they end
// as QEMU 7.2 ends a stream: QEMU_VM_EOF, then QEMU_VM_VMDESCRIPTION, a
// big-endian u32 length and that many bytes of JSON (the devices'
// description, which a loader skips). The sections themselves are not parsed
// (their layout is each device's), so a stream cut short (a checkpoint that
// did not complete, a state file cut) would otherwise pass as a devices
// state that QEMU fails to load: it is io.ErrUnexpectedEOF here.
func (s *splitter) devices(t byte) error {
	rest, err := io.ReadAll(io.LimitReader(s.in, maxDevicesBytes))
	if err != nil {
		return err
	}
	if len(rest) == maxDevicesBytes {
		return fmt.Errorf("%w: device sections of more than %d bytes", ErrUnsupported, maxDevicesBytes)
	}
	tail := append([]byte{t}, rest...)
	if !endsWithDescription(tail) {
		return fmt.Errorf("the device sections do not end with QEMU_VM_EOF and the description: %w", io.ErrUnexpectedEOF)
	}
	_, err = s.out.Write(tail)
	return err
}

// endsWithDescription says whether b ends with QEMU_VM_EOF, then
// QEMU_VM_VMDESCRIPTION, its length and that much valid JSON.
func endsWithDescription(b []byte) bool {
	for size := 0; size+6 <= len(b); size++ {
		at := len(b) - size - 5 // where QEMU_VM_VMDESCRIPTION would be
		if b[at-1] == secEOF && b[at] == secVMDesc && binary.BigEndian.Uint32(b[at+1:]) == uint32(size) &&
			json.Valid(b[at+5:]) {
			return true
		}
	}
	return false
}
