package shells

import (
	"context"
	"io"
)

// Attach streams the shell's output from the current end of its buffer to
// out until the shell exits or ctx ends, while in (if not nil) is copied
// to the PTY. The end of in only ends the input: a client may send nothing
// and just watch. Output that overflows the buffer while out is slow is
// skipped rather than blocking the shell.
func (s *Shell) Attach(ctx context.Context, in io.Reader, out func([]byte) error) error {
	if in != nil {
		go func() { _, _ = s.Input(in) }()
	}
	pos := s.out.End()
	for {
		changed := s.out.Changed() // before reading, so no write is missed
		final := !s.running()
		c, err := s.out.Read(pos, readSize, final)
		if err != nil {
			return err
		}
		if len(c.Data) > 0 {
			if err := out(c.Data); err != nil {
				return err
			}
			pos = c.Next
			continue
		}
		if final {
			return nil
		}
		select {
		case <-changed:
		case <-s.exited:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
