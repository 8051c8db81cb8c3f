package ui

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
)

// TestWindowOpenCloseLeavesNothing opens and closes the window 100 times
// over one core: each window's watch on the core is cancelled and its
// goroutines end, so neither watchers nor goroutines pile up.
func TestWindowOpenCloseLeavesNothing(t *testing.T) {
	a := newTestApp(t)
	core, err := app.Open(context.Background(), app.Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close(context.Background())
	own := core.Watchers() // the core's own watchers (the sites' precomputation)
	open := func() {
		var u *Window
		onUI(func() {
			u = Create(context.Background(), a, a.NewWindow("cycle"), core, Options{ClockEvery: time.Hour})
		})
		if core.Watchers() == own {
			t.Fatal("an open window does not watch the core")
		}
		u.Close()
		onUI(func() { u.Win.Close() })
	}
	open() // the toolkit's own goroutines start with the first window
	settle := func() int {
		n := 0
		for i := 0; i < 100; i++ {
			runtime.GC()
			n = runtime.NumGoroutine()
			time.Sleep(20 * time.Millisecond)
			if m := runtime.NumGoroutine(); m == n {
				break
			}
		}
		return n
	}
	before := settle()
	for i := 0; i < 100; i++ {
		open()
	}
	if w := core.Watchers(); w != own {
		t.Errorf("%d watchers left on the core after 101 windows closed, want %d", w, own)
	}
	deadline := time.Now().Add(10 * time.Second)
	after := settle()
	for after > before+3 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		after = settle()
	}
	if after > before+3 {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before 100 windows, %d after they closed\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
