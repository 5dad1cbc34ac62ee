package redact

// Stream redacts one output stream cut into arbitrary chunks. It holds
// back only the longest suffix of what it was given that is a proper
// prefix of some value (so at most the longest value's length minus one
// byte) and releases everything else at once. Not safe for concurrent
// use; see Writer.
type Stream struct {
	values Source
	held   []byte
}

// NewStream redacts the values src returns at each call (nil: none).
func NewStream(src Source) *Stream { return &Stream{values: src} }

// Write takes the next chunk and returns the bytes that are decided, with
// matches replaced. The result may be empty while bytes are held.
func (s *Stream) Write(p []byte) []byte {
	values := s.current()
	if len(values) == 0 && len(s.held) == 0 {
		return p
	}
	buf := append(s.held, p...)
	out, held := scan(make([]byte, 0, len(buf)), values, buf, false)
	s.held = append(s.held[:0:0], buf[held:]...)
	return out
}

// Flush releases the held bytes at the end of the stream (or when the
// caller decides to stop waiting): matches in them are still replaced,
// and a prefix that never completed is given back as it was.
func (s *Stream) Flush() []byte {
	if len(s.held) == 0 {
		return nil
	}
	out, _ := scan(nil, s.current(), s.held, true)
	s.held = nil
	return out
}

// Held is how many bytes wait for the next chunk.
func (s *Stream) Held() int { return len(s.held) }

func (s *Stream) current() [][]byte {
	if s.values == nil {
		return nil
	}
	return s.values()
}
