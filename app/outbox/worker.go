package outbox

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/internal/watch"
)

// storeTimeout bounds one store operation of the worker.
const storeTimeout = 15 * time.Second

// Worker delivers the outbox: one goroutine per destination with queued
// work, each sending its entries one at a time in id order, several
// destinations in parallel.
type Worker struct {
	st  *store.Store
	opt Options

	// ctx is cancelled when Stop gives up waiting; it aborts sends in progress.
	ctx    context.Context
	cancel context.CancelFunc
	stop   chan struct{}
	wakeup chan struct{} // tells the supervisor to rescan now
	wg     sync.WaitGroup

	mu      sync.Mutex
	started bool
	stopped bool
	dests   map[string]*dest
	subs    watch.List[struct{}]
	// watchers get every entry's change; changeMu keeps their order.
	watchers watch.List[Change]
	changeMu sync.Mutex
	// lastScan is when the last completed scan of the store began.
	lastScan time.Time
	// flushSince, while a Flush runs, makes every destination not tried since
	// then try at once.
	flushSince time.Time
	flushes    int

	// Totals of outcomes since New, for Flush's report.
	sent, refused, failed atomic.Int64
}

// New returns a worker for the outbox of st, working under ctx until Stop;
// call Start to deliver, or use it unstarted only to Enqueue.
func New(ctx context.Context, st *store.Store, opt Options) *Worker {
	ctx, cancel := context.WithCancel(ctx)
	return &Worker{
		st: st, opt: opt.withDefaults(), ctx: ctx, cancel: cancel,
		stop: make(chan struct{}), wakeup: make(chan struct{}, 1),
		dests: map[string]*dest{},
	}
}

// reasonInterrupted is the last reason of an entry that was being sent when
// Starling stopped; it may have reached the broker.
const reasonInterrupted = "interrupted while sending (Starling stopped); it may have reached the broker"

// Start puts entries left in "sending" by a crash back in the queue, due
// now, and starts delivering. Calling it again does nothing.
func (w *Worker) Start() error {
	w.mu.Lock()
	if w.started || w.stopped {
		w.mu.Unlock()
		return nil
	}
	w.started = true
	w.mu.Unlock()
	ctx, cancel := context.WithTimeout(w.ctx, storeTimeout)
	defer cancel()
	left, err := w.st.ListOutbox(ctx, store.StateSending, 1<<30)
	if err == nil {
		for _, e := range left {
			if err = w.st.MarkRetry(ctx, e.ID, time.Now(), reasonInterrupted); err != nil {
				break
			}
		}
	}
	if err == nil {
		_, err = w.st.ResetSending(ctx)
	}
	if err != nil {
		w.log().Error("could not recover entries left in sending", "component", "outbox", "err", err)
	} else if len(left) > 0 {
		w.log().Info("requeued entries interrupted while sending", "component", "outbox", "count", len(left))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.wg.Add(1)
		go w.supervise()
	}
	return err
}

// log is the worker's logger.
func (w *Worker) log() *slog.Logger { return w.opt.Log }

// Stop stops delivering: attempts in progress may finish until ctx ends, then
// they are aborted and their entries put back in the queue. It returns
// ctx.Err() if it had to abort.
func (w *Worker) Stop(ctx context.Context) error {
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return nil
	}
	w.stopped = true
	close(w.stop)
	w.mu.Unlock()
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
		w.cancel()
		return nil
	case <-ctx.Done():
		w.cancel()
		<-done
		return ctx.Err()
	}
}

// Kick is "retry now": every destination tries its next entry at once,
// whatever its backoff, and the store is rescanned for new work.
func (w *Worker) Kick() { w.wake("", true) }

// wake rescans the store and wakes destination name (every one if ""); force
// makes them try at once rather than wait for their backoff.
func (w *Worker) wake(name string, force bool) {
	w.mu.Lock()
	for n, d := range w.dests {
		if name == "" || n == name {
			if force {
				d.force = true
			}
			poke(d.wake)
		}
	}
	w.mu.Unlock()
	poke(w.wakeup)
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Subscribe registers f to be called after every change of the outbox made
// or seen by the worker (twice per attempt: a window should coalesce them);
// f is called from the worker's goroutines and must not block. The returned
// function unregisters it.
func (w *Worker) Subscribe(f func()) (cancel func()) {
	return w.subs.Add(func(struct{}) { f() })
}

func (w *Worker) notify() { w.subs.Tell(struct{}{}) }

// supervise starts a goroutine for each destination with queued work, at
// start, on every wake-up, and every Rescan interval.
func (w *Worker) supervise() {
	defer w.wg.Done()
	t := time.NewTicker(w.opt.Rescan)
	defer t.Stop()
	for {
		w.scan()
		select {
		case <-w.stop:
			return
		case <-w.wakeup:
		case <-t.C:
		}
	}
}

func (w *Worker) scan() {
	ctx, cancel := context.WithTimeout(w.ctx, storeTimeout)
	defer cancel()
	began := time.Now()
	names, err := w.st.Destinations(ctx)
	if err != nil {
		w.log().Warn("could not read the outbox", "component", "outbox", "err", err)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.lastScan = began
	for _, n := range names {
		d := w.destLocked(n)
		if d.running {
			poke(d.wake)
			continue
		}
		d.running = true
		w.wg.Add(1)
		go w.run(d)
	}
}

// destLocked returns the state of destination name, creating it; w.mu is held.
func (w *Worker) destLocked(name string) *dest {
	d := w.dests[name]
	if d == nil {
		d = &dest{name: name, wake: make(chan struct{}, 1), online: true}
		w.dests[name] = d
	}
	return d
}
