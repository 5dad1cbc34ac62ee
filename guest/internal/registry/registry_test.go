package registry

import (
	"errors"
	"slices"
	"testing"
)

var errMissing = errors.New("thing not found")

func TestGetPutDelete(t *testing.T) {
	tb := New[int](errMissing)
	if _, err := tb.Get("a"); !errors.Is(err, errMissing) || err.Error() != `thing not found: "a"` {
		t.Fatalf("missing key: %v", err)
	}
	tb.Put("a", 1)
	if v, err := tb.Get("a"); err != nil || v != 1 {
		t.Fatalf("Get(a) = %d, %v", v, err)
	}
	tb.Delete("a")
	tb.Delete("a") // absent: nothing
	if _, err := tb.Get("a"); !errors.Is(err, errMissing) {
		t.Fatalf("after Delete: %v", err)
	}
}

func TestReserve(t *testing.T) {
	tb := New[int](errMissing)
	keepOdd := func(old int) bool { return old%2 == 1 }
	if old, found, stored := tb.Reserve("k", 1, keepOdd); old != 0 || found || !stored {
		t.Fatalf("empty: %d %v %v", old, found, stored)
	}
	if old, found, stored := tb.Reserve("k", 2, keepOdd); old != 1 || !found || stored {
		t.Fatalf("kept: %d %v %v", old, found, stored)
	}
	if v, _ := tb.Get("k"); v != 1 {
		t.Fatalf("kept value replaced: %d", v)
	}
	tb.Put("k", 4)
	if old, found, stored := tb.Reserve("k", 5, keepOdd); old != 4 || !found || !stored {
		t.Fatalf("replaced: %d %v %v", old, found, stored)
	}
	if v, _ := tb.Get("k"); v != 5 {
		t.Fatalf("Get after replace = %d", v)
	}
}

func TestEach(t *testing.T) {
	tb := New[int](errMissing)
	if got := Each(tb, func(v int) int { return v }); got == nil || len(got) != 0 {
		t.Fatalf("empty table: %#v, want an empty non-nil slice", got)
	}
	tb.Put("a", 1)
	tb.Put("b", 2)
	got := Each(tb, func(v int) int { return v * 10 })
	slices.Sort(got)
	if !slices.Equal(got, []int{10, 20}) {
		t.Fatalf("Each = %v", got)
	}
}
