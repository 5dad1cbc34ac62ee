// Package registry is the agent's table of live objects by key (services by
// name, shells by id): one mutex around one map, so each manager writes its
// lookups, reservations and listings once.
package registry

import (
	"fmt"
	"sync"
)

// Table holds values by key; the zero Table is not usable (see New).
// Its methods are safe for concurrent use.
type Table[V any] struct {
	notFound error
	mu       sync.Mutex
	items    map[string]V
}

// New returns an empty table whose Get wraps notFound for a missing key.
func New[V any](notFound error) *Table[V] {
	return &Table[V]{notFound: notFound, items: map[string]V{}}
}

// Get returns the value under key, or an error wrapping the table's
// not-found error that quotes key.
func (t *Table[V]) Get(key string) (V, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.items[key]; ok {
		return v, nil
	}
	var zero V
	return zero, fmt.Errorf("%w: %q", t.notFound, key)
}

// Reserve stores v under key unless keep(old) says the value already there
// stays; it returns the value it found (zero and found=false if none) and
// whether v was stored. The check and the store are one step.
func (t *Table[V]) Reserve(key string, v V, keep func(old V) bool) (old V, found, stored bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old, found = t.items[key]
	if found && keep(old) {
		return old, true, false
	}
	t.items[key] = v
	return old, found, true
}

// Put stores v under key, replacing any value there.
func (t *Table[V]) Put(key string, v V) {
	t.mu.Lock()
	t.items[key] = v
	t.mu.Unlock()
}

// Delete removes key (nothing if it is absent).
func (t *Table[V]) Delete(key string) {
	t.mu.Lock()
	delete(t.items, key)
	t.mu.Unlock()
}

// Each returns f of every value, in no particular order (callers sort).
func Each[V, R any](t *Table[V], f func(V) R) []R {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]R, 0, len(t.items))
	for _, v := range t.items {
		out = append(out, f(v))
	}
	return out
}
