package migstate

// The RAM sections of the stream: the block list and the pages, the guest
// RAM's into the image, the others copied to the devices-only state.

import (
	"fmt"
	"slices"
)

// ramSection copies a section header of type t, the RAM section's body
// (ramBody) and its footer. Only RAM is iterable in pyro's VMs.
func (s *splitter) ramSection(t byte) error {
	id, err := s.in.be32()
	if err != nil {
		return err
	}
	_ = s.out.WriteByte(t)
	s.putBE32(id)
	if t == secStart {
		idstr, err := s.in.str8()
		if err != nil {
			return err
		}
		if idstr != "ram" || s.haveRAM {
			return fmt.Errorf("%w: iterable section %q", ErrUnsupported, idstr)
		}
		s.ramID, s.haveRAM = id, true
		rest, err := s.in.take(8) // instance and version ids
		if err != nil {
			return err
		}
		s.putStr8(idstr)
		_, _ = s.out.Write(rest)
	} else if !s.haveRAM || id != s.ramID {
		return fmt.Errorf("%w: section %d continues no RAM section", ErrUnsupported, id)
	}
	if err := s.ramBody(); err != nil {
		return err
	}
	if next, err := s.in.peek(); err != nil || next != secFooter {
		return err // no footer (an old machine type's stream): nothing to copy
	}
	footer, err := s.in.take(5)
	if err != nil {
		return err
	}
	_, err = s.out.Write(footer)
	return err
}

// ramBody copies RAM records up to and including the end-of-section flag:
// the block list, then pages, the guest RAM's into the image.
func (s *splitter) ramBody() error {
	for {
		word, err := s.in.be64()
		if err != nil {
			return err
		}
		flags, offset := word&flagMask, word&^flagMask
		switch flags &^ flagContinue {
		case flagMemSize:
			if err := s.blockList(offset); err != nil {
				return err
			}
		case flagZero, flagPage:
			if err := s.page(flags, offset); err != nil {
				return err
			}
		case flagEOS:
			s.putBE64(flagEOS)
			return nil
		default: // compressed, XBZRLE, RDMA hooks
			return fmt.Errorf("%w: RAM page flags %#x", ErrUnsupported, flags)
		}
	}
}

// blockList reads the RAM blocks (their lengths add up to total), picks the
// largest as the guest RAM, sizes the image to it and writes the list in
// the x-ignore-shared format under the new name.
func (s *splitter) blockList(total uint64) error {
	if s.main >= 0 {
		return fmt.Errorf("%w: a second RAM block list", ErrUnsupported)
	}
	for total > 0 {
		name, err := s.in.str8()
		if err != nil {
			return err
		}
		length, err := s.in.be64()
		if err != nil {
			return err
		}
		var addr uint64
		if s.ignore {
			if addr, err = s.in.be64(); err != nil {
				return err
			}
		}
		if length > total || length%pageSize != 0 {
			return fmt.Errorf("RAM block %q length %d does not fit the total %d", name, length, total)
		}
		if slices.ContainsFunc(s.blocks, func(b block) bool { return b.name == name }) {
			return fmt.Errorf("RAM block %q listed twice", name)
		}
		total -= length
		s.blocks = append(s.blocks, block{name: name, length: length, addr: addr})
		if s.main < 0 || length > s.blocks[s.main].length {
			s.main = len(s.blocks) - 1
		}
	}
	if s.main < 0 {
		return fmt.Errorf("%w: no RAM blocks", ErrUnsupported)
	}
	for i, b := range s.blocks {
		if i != s.main && b.name == s.opts.MemoryBlock {
			return fmt.Errorf("%w: a RAM block is named %q already", ErrUnsupported, b.name)
		}
	}
	ram := s.blocks[s.main]
	if ram.length > maxRAMBytes {
		return fmt.Errorf("%w: a guest RAM of %d bytes", ErrUnsupported, ram.length)
	}
	if err := s.memory.Truncate(int64(ram.length)); err != nil {
		return err
	}
	s.result.MemoryBytes = int64(ram.length)
	s.written = make([]uint64, (ram.length/pageSize+63)/64)
	s.putBE64(sumLengths(s.blocks) | flagMemSize)
	for i, b := range s.blocks {
		if i == s.main {
			b.name = s.opts.MemoryBlock
		}
		s.putStr8(b.name)
		s.putBE64(b.length)
		s.putBE64(b.addr) // only a shared (ignored) block's address is checked on load
	}
	return nil
}

// page handles one page record: the guest RAM's goes to the image, another
// block's is copied with its block named where the output's previous page
// was in another block.
func (s *splitter) page(flags, offset uint64) error {
	b := s.inLast
	if flags&flagContinue == 0 {
		name, err := s.in.str8()
		if err != nil {
			return err
		}
		b = slices.IndexFunc(s.blocks, func(x block) bool { return x.name == name })
		if b < 0 {
			return fmt.Errorf("page of unknown RAM block %q", name)
		}
	}
	// offset is page-aligned and a block a whole number of pages: offset+pageSize could wrap.
	if b < 0 || offset >= s.blocks[b].length {
		return fmt.Errorf("page at %#x outside its RAM block", offset)
	}
	s.inLast = b
	size := 1
	if flags&flagZero == 0 {
		size = pageSize
	}
	data, err := s.in.take(size)
	if err != nil {
		return err
	}
	if b == s.main {
		return s.imagePage(int64(offset), data)
	}
	out := flags &^ flagContinue
	if s.outLast == b {
		out |= flagContinue
	}
	s.putBE64(offset | out)
	if out&flagContinue == 0 {
		s.putStr8(s.blocks[b].name)
	}
	s.outLast = b
	_, err = s.out.Write(data)
	return err
}

// imagePage puts one guest RAM page into the image: a page's bytes, or a
// zero page's fill byte repeated (a hole stays where a zero page lands on a
// page never written).
func (s *splitter) imagePage(offset int64, data []byte) error {
	index := offset / pageSize
	seen := s.written[index/64]&(1<<(index%64)) != 0
	if len(data) == 1 {
		if data[0] == 0 && !seen {
			return nil
		}
		data = slices.Repeat(data, pageSize)
	}
	s.written[index/64] |= 1 << (index % 64)
	s.result.PagesWritten++
	if len(s.run) > 0 && (offset != s.runStart+int64(len(s.run)) || len(s.run) >= maxRunBytes) {
		if err := s.flushRun(); err != nil {
			return err
		}
	}
	if len(s.run) == 0 {
		s.runStart = offset
	}
	s.run = append(s.run, data...)
	return nil
}

// flushRun writes the pages waiting in s.run to the image.
func (s *splitter) flushRun() error {
	if len(s.run) == 0 {
		return nil
	}
	_, err := s.memory.WriteAt(s.run, s.runStart)
	s.run = s.run[:0]
	return err
}

func sumLengths(blocks []block) uint64 {
	var n uint64
	for _, b := range blocks {
		n += b.length
	}
	return n
}
