// Package watch keeps the callbacks that want to hear of changes.
package watch

import "sync"

// List is a set of callbacks, each told of every value passed to Tell. The
// zero List is ready; it is safe for concurrent use.
type List[T any] struct {
	mu   sync.Mutex
	next int
	fs   map[int]func(T)
}

// Add registers f; the returned function unregisters it.
func (l *List[T]) Add(f func(T)) (cancel func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fs == nil {
		l.fs = map[int]func(T){}
	}
	id := l.next
	l.next++
	l.fs[id] = f
	return func() {
		l.mu.Lock()
		delete(l.fs, id)
		l.mu.Unlock()
	}
}

// Tell calls every callback registered now with each of vs, in order,
// outside the list's lock (a callback may Add or cancel).
func (l *List[T]) Tell(vs ...T) {
	l.mu.Lock()
	fs := make([]func(T), 0, len(l.fs))
	for _, f := range l.fs {
		fs = append(fs, f)
	}
	l.mu.Unlock()
	for _, v := range vs {
		for _, f := range fs {
			f(v)
		}
	}
}

// Len is how many callbacks are registered.
func (l *List[T]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.fs)
}
