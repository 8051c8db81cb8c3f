package app

import (
	"context"
	"sync"
)

// onceCache keeps the last max values computed by key, and computes each
// once however many ask for it at the same time. A value whose
// computation failed is forgotten when drop says so, so that the next
// asker tries again.
type onceCache[K comparable, V any] struct {
	max   int
	mu    sync.Mutex
	m     map[K]*onceEntry[V]
	order []K // oldest first, for the bound
}

// onceEntry is a value being computed or computed; done closes when it is.
type onceEntry[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// get returns key's value, computed by f unless another asker computes or
// computed it; it waits at most until ctx ends.
func (c *onceCache[K, V]) get(ctx context.Context, key K, f func() (V, error), drop func(error) bool) (V, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]*onceEntry[V]{}
	}
	e, ok := c.m[key]
	if !ok {
		e = &onceEntry[V]{done: make(chan struct{})}
		c.m[key] = e
		c.order = append(c.order, key)
		if len(c.order) > c.max {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.mu.Unlock()
	if !ok {
		e.v, e.err = f()
		if e.err != nil && drop(e.err) {
			c.forget(key, e)
		}
		close(e.done)
	}
	select {
	case <-e.done:
		return e.v, e.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// forget drops e, if it is still key's entry.
func (c *onceCache[K, V]) forget(key K, e *onceEntry[V]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[key] != e {
		return
	}
	delete(c.m, key)
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i:i], c.order[i+1:]...)
			break
		}
	}
}

// done reports whether key's value is computed, and its error.
func (c *onceCache[K, V]) done(key K) (computed bool, err error) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok {
		return false, nil
	}
	select {
	case <-e.done:
		return true, e.err
	default:
		return false, nil
	}
}
