package app

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestOnceCache: ten askers at once compute a key once; the oldest key goes
// past the bound; a failure is kept or forgotten as drop says.
func TestOnceCache(t *testing.T) {
	ctx := context.Background()
	c := onceCache[int, int]{max: 2}
	var runs atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.get(ctx, 1, func() (int, error) { runs.Add(1); <-release; return 7, nil }, func(error) bool { return true })
			if v != 7 || err != nil {
				t.Errorf("got %d, %v", v, err)
			}
		}()
	}
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("computed %d times, want once", n)
	}
	c.get(ctx, 2, func() (int, error) { return 2, nil }, nil)
	c.get(ctx, 3, func() (int, error) { return 3, nil }, nil)
	if done, _ := c.done(1); done {
		t.Error("the oldest key kept past the bound")
	}
	fail := errors.New("no")
	c.get(ctx, 4, func() (int, error) { return 0, fail }, func(error) bool { return false })
	if done, err := c.done(4); !done || err != fail {
		t.Errorf("a kept failure: done %v, %v", done, err)
	}
	c.get(ctx, 5, func() (int, error) { return 0, fail }, func(error) bool { return true })
	if done, _ := c.done(5); done {
		t.Error("a dropped failure kept")
	}
}
