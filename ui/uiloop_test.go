package ui

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Fyne's test driver runs fyne.Do on the caller's goroutine, so the window's
// background goroutines would change widgets at the same time as each other
// and as the test. The real driver runs them one at a time on its event
// loop; loopApp gives tests the same: every fyne.Do and fyne.DoAndWait runs,
// in order, on one goroutine, and tests touch widgets only through it.

// uiLoop is the one goroutine, shared by every test, that runs UI work.
type uiLoop struct {
	mu    sync.Mutex
	queue []func()
	wake  chan struct{}
	gid   atomic.Uint64 // the goroutine running the loop now
}

var loop = startLoop()

func startLoop() *uiLoop {
	l := &uiLoop{wake: make(chan struct{}, 1)}
	go l.run()
	return l
}

func (l *uiLoop) run() {
	l.gid.Store(goroutineID())
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.mu.Unlock()
			<-l.wake
			continue
		}
		f := l.queue[0]
		l.queue = l.queue[1:]
		l.mu.Unlock()
		l.runOne(f)
	}
}

// runOne runs f; if f ends its goroutine (t.FailNow inside it), a new loop
// goroutine takes over so that later work still runs.
func (l *uiLoop) runOne(f func()) {
	finished := false
	defer func() {
		if !finished {
			go l.run()
		}
	}()
	f()
	finished = true
}

func (l *uiLoop) post(f func()) {
	l.mu.Lock()
	l.queue = append(l.queue, f)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// do runs f on the loop; with wait it returns once f has finished.
func (l *uiLoop) do(f func(), wait bool) {
	if goroutineID() == l.gid.Load() {
		f()
		return
	}
	if !wait {
		l.post(f)
		return
	}
	done := make(chan struct{})
	l.post(func() {
		defer close(done)
		f()
	})
	<-done
}

// goroutineID reads the running goroutine's number from its stack header.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

// loopDriver is the test driver with fyne.Do routed through the loop.
type loopDriver struct{ fyne.Driver }

// DoFromGoroutine runs f on the loop, as the real driver runs it on its own.
func (d loopDriver) DoFromGoroutine(f func(), wait bool) { loop.do(f, wait) }

// loopApp is a test app whose driver runs UI work on the loop.
type loopApp struct{ fyne.App }

// Driver is the loop driver.
func (a loopApp) Driver() fyne.Driver { return loopDriver{a.App.Driver()} }

// newTestApp returns a new test app served by the loop, current until the
// test ends; after it a fresh one is current, so that late work from the
// test's goroutines still runs on the loop.
func newTestApp(t testing.TB) fyne.App {
	a := currentLoopApp()
	t.Cleanup(func() { currentLoopApp() })
	return a
}

func currentLoopApp() fyne.App {
	a := loopApp{test.NewApp()}
	fyne.SetCurrentApp(a)
	return a
}

// onUI runs f on the loop and waits; tests change and read widgets only here.
func onUI(f func()) { fyne.DoAndWait(f) }

// setTheme applies th to the current app, on the loop.
func setTheme(th fyne.Theme) {
	onUI(func() { fyne.CurrentApp().Settings().SetTheme(th) })
}

func TestLoopRunsWorkInOrderOnOneGoroutine(t *testing.T) {
	newTestApp(t)
	var ids []uint64
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fyne.DoAndWait(func() {
				ids = append(ids, goroutineID())
			})
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	fyne.Do(func() { fyne.DoAndWait(func() { close(done) }) }) // nested waits run at once
	<-done
	if len(ids) != 50 {
		t.Fatalf("%d calls ran, want 50", len(ids))
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("calls ran on goroutines %d and %d", ids[0], id)
		}
	}
	if ids[0] == goroutineID() {
		t.Fatal("the loop ran work on the test's goroutine")
	}
}
