package migstate

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSplit: whatever the input, Split ends (an error, or a split), never
// panics, and what it splits loads as the input does (sameMachine).
// `go test -run '^$' -fuzz FuzzSplit -fuzztime 1m` fuzzes it.
func FuzzSplit(f *testing.F) {
	f.Add(saved("mem", true))
	f.Add(saved("microvm.ram", false))
	r := rand.New(rand.NewPCG(1, 2))
	for range 4 {
		f.Add(randomStream(r))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in []byte) {
		memory, err := os.Create(filepath.Join(dir, "memory"))
		if err != nil {
			t.Fatal(err)
		}
		defer memory.Close()
		var state bytes.Buffer
		if _, err := Split(bytes.NewReader(in), &state, memory, Options{}); err != nil {
			return
		}
		image, err := os.ReadFile(memory.Name())
		if err != nil {
			t.Fatal(err)
		}
		if diff := sameMachine(in, state.Bytes(), image); diff != "" {
			t.Fatalf("split, but %s", diff)
		}
	})
}
