package watch

import (
	"slices"
	"sync"
	"testing"
)

func TestListTellsEveryCallbackInOrderUntilCancelled(t *testing.T) {
	var l List[int]
	var a, b []int
	cancelA := l.Add(func(v int) { a = append(a, v) })
	l.Add(func(v int) { b = append(b, v) })
	l.Tell(1, 2, 3)
	cancelA()
	l.Tell(4)
	if !slices.Equal(a, []int{1, 2, 3}) || !slices.Equal(b, []int{1, 2, 3, 4}) {
		t.Fatalf("a %v, b %v", a, b)
	}
}

func TestListCallbackMayCancelItself(t *testing.T) {
	var l List[string]
	n := 0
	var cancel func()
	cancel = l.Add(func(string) { n++; cancel() })
	l.Tell("x")
	l.Tell("y")
	if n != 1 {
		t.Fatalf("called %d times, want 1", n)
	}
}

func TestListConcurrentUse(t *testing.T) {
	var l List[int]
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cancel := l.Add(func(v int) { mu.Lock(); total += v; mu.Unlock() })
			l.Tell(1)
			cancel()
		}()
	}
	wg.Wait()
	if total < 8 {
		t.Fatalf("total %d: a callback missed its own Tell", total)
	}
}
