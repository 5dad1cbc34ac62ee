package migstate

import (
	"bufio"
	"encoding/binary"
	"io"
)

// countingReader reads the stream's big-endian fields and counts the bytes
// read, so an error can say where in the stream it is.
type countingReader struct {
	r    *bufio.Reader
	read int64
}

// Read implements io.Reader (io.Copy of the devices' part).
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

// take reads exactly size bytes; a stream that ends first is io.ErrUnexpectedEOF.
func (c *countingReader) take(size int) ([]byte, error) {
	b := make([]byte, size)
	n, err := io.ReadFull(c.r, b)
	c.read += int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

func (c *countingReader) u8() (byte, error) {
	b, err := c.take(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (c *countingReader) be32() (uint32, error) {
	b, err := c.take(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b), nil
}

func (c *countingReader) be64() (uint64, error) {
	b, err := c.take(8)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b), nil
}

// str8 reads a string with a one-byte length before it (an id string).
func (c *countingReader) str8() (string, error) {
	size, err := c.u8()
	if err != nil {
		return "", err
	}
	b, err := c.take(int(size))
	return string(b), err
}

// bytes32 reads bytes with a big-endian u32 length before them.
func (c *countingReader) bytes32() ([]byte, error) {
	size, err := c.be32()
	if err != nil {
		return nil, err
	}
	if size > 1<<16 {
		return nil, ErrUnsupported
	}
	return c.take(int(size))
}

// peek returns the next byte without reading it.
func (c *countingReader) peek() (byte, error) {
	b, err := c.r.Peek(1)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	return b[0], nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w    io.Writer
	read int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.read += int64(n)
	return n, err
}

// The put helpers write to s.out, a bufio.Writer: it keeps the first write
// error and Flush returns it, so they need not.

func (s *splitter) putBE32(v uint32) { _, _ = s.out.Write(binary.BigEndian.AppendUint32(nil, v)) }

func (s *splitter) putBE64(v uint64) { _, _ = s.out.Write(binary.BigEndian.AppendUint64(nil, v)) }

func (s *splitter) putStr8(v string) {
	_ = s.out.WriteByte(byte(len(v)))
	_, _ = s.out.WriteString(v)
}

// putSubsection writes a configuration subsection's header (version 1).
func (s *splitter) putSubsection(name string) {
	_ = s.out.WriteByte(secSubsection)
	s.putStr8(name)
	s.putBE32(1)
}
