package shells

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBufferRead(t *testing.T) {
	tests := []struct {
		name   string
		size   int
		writes []string
		from   int64
		max    int
		final  bool
		want   Chunk
	}{
		{name: "all", size: 16, writes: []string{"hello ", "world"}, max: 100,
			want: Chunk{Data: []byte("hello world"), Next: 11}},
		{name: "from cursor", size: 16, writes: []string{"hello world"}, from: 6, max: 100,
			want: Chunk{Data: []byte("world"), Next: 11}},
		{name: "cut by max", size: 16, writes: []string{"hello world"}, from: 0, max: 5,
			want: Chunk{Data: []byte("hello"), Next: 5, More: true}},
		{name: "at end", size: 16, writes: []string{"abc"}, from: 3, max: 10,
			want: Chunk{Data: []byte{}, Next: 3}},
		{name: "oldest dropped", size: 8, writes: []string{"0123456789", "ab"}, from: 0, max: 100,
			want: Chunk{Data: []byte("456789ab"), Next: 12, Dropped: 4}},
		{name: "wrapped ring, cursor inside", size: 8, writes: []string{"01234", "56789", "ab"}, from: 6, max: 100,
			want: Chunk{Data: []byte("6789ab"), Next: 12}},
		{name: "one write larger than the ring", size: 4, writes: []string{"0123456789"}, from: 2, max: 100,
			want: Chunk{Data: []byte("6789"), Next: 10, Dropped: 4}},
		{name: "max cuts before a split rune", size: 16, writes: []string{"aé"}, max: 2,
			want: Chunk{Data: []byte("a"), Next: 1, More: true}},
		{name: "incomplete rune held back", size: 16, writes: []string{"a\xc3"}, max: 10,
			want: Chunk{Data: []byte("a"), Next: 1}},
		{name: "incomplete rune returned when final", size: 16, writes: []string{"a\xc3"}, max: 10, final: true,
			want: Chunk{Data: []byte("a\xc3"), Next: 2}},
		{name: "never stuck on a lone partial rune", size: 16, writes: []string{"\xe2\x82"}, max: 10,
			want: Chunk{Data: []byte("\xe2\x82"), Next: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuffer(tt.size)
			for _, w := range tt.writes {
				b.Write([]byte(w))
			}
			got, err := b.Read(tt.from, tt.max, tt.final)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Data) != string(tt.want.Data) || got.Next != tt.want.Next ||
				got.Dropped != tt.want.Dropped || got.More != tt.want.More {
				t.Errorf("got %q next=%d dropped=%d more=%v, want %q next=%d dropped=%d more=%v",
					got.Data, got.Next, got.Dropped, got.More,
					tt.want.Data, tt.want.Next, tt.want.Dropped, tt.want.More)
			}
		})
	}
}

func TestBufferCursorOutOfRange(t *testing.T) {
	b := newBuffer(8)
	b.Write([]byte("abc"))
	for _, from := range []int64{-1, 4} {
		if _, err := b.Read(from, 10, false); !errors.Is(err, ErrInvalid) {
			t.Errorf("Read(%d): got %v, want ErrInvalid", from, err)
		}
	}
}

// Reading chunk by chunk with next_cursor yields the stream exactly once.
func TestBufferCursorWalk(t *testing.T) {
	b := newBuffer(1 << 10)
	want := strings.Repeat("é0123", 100)
	b.Write([]byte(want))
	var got strings.Builder
	for cur := int64(0); ; {
		c, err := b.Read(cur, 7, false)
		if err != nil {
			t.Fatal(err)
		}
		got.Write(c.Data)
		cur = c.Next
		if !c.More {
			break
		}
	}
	if got.String() != want {
		t.Errorf("walk lost or repeated bytes: %d of %d", got.Len(), len(want))
	}
}

func TestBufferNotifiesWriters(t *testing.T) {
	b := newBuffer(8)
	ch := b.Changed()
	if !b.LastWrite().IsZero() {
		t.Error("LastWrite set before any write")
	}
	go b.Write([]byte("x"))
	select {
	case <-ch:
	case <-time.After(2 * time.Second):
		t.Fatal("Changed not closed by Write")
	}
	if b.End() != 1 || b.LastWrite().IsZero() {
		t.Errorf("End %d LastWrite %v", b.End(), b.LastWrite())
	}
}
