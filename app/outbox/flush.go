package outbox

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/store"
)

// Counts counts outbox entries by state.
type Counts struct {
	Queued, Sending, Sent, Refused, Failed, Cancelled int
}

// Waiting is the number of entries not yet delivered nor given up on.
func (c Counts) Waiting() int { return c.Queued + c.Sending }

// Total is the number of entries.
func (c Counts) Total() int {
	return c.Queued + c.Sending + c.Sent + c.Refused + c.Failed + c.Cancelled
}

// CountsOf turns the store's counts by state into Counts.
func CountsOf(m map[string]int) Counts {
	return Counts{
		Queued: m[store.StateQueued], Sending: m[store.StateSending], Sent: m[store.StateSent],
		Refused: m[store.StateRefused], Failed: m[store.StateFailed], Cancelled: m[store.StateCancelled],
	}
}

// Counts reads the outbox's counts by state.
func (w *Worker) Counts(ctx context.Context) (Counts, error) {
	m, err := w.st.OutboxCounts(ctx)
	return CountsOf(m), err
}

// UndeliveredError is what Flush returns when something was not delivered.
type UndeliveredError struct {
	// Waiting counts entries still queued: their destination cannot be reached now.
	Waiting int
	// Refused and Failed count entries refused or given up on during the flush.
	Refused, Failed int
	// Reasons are the destinations still waiting with their last error.
	Reasons []string
}

func (e *UndeliveredError) Error() string {
	var parts []string
	if e.Waiting > 0 {
		s := fmt.Sprintf("%d still queued", e.Waiting)
		if len(e.Reasons) > 0 {
			s += " (" + strings.Join(e.Reasons, "; ") + ")"
		}
		parts = append(parts, s)
	}
	if e.Refused > 0 {
		parts = append(parts, fmt.Sprintf("%d refused", e.Refused))
	}
	if e.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", e.Failed))
	}
	return "not everything was delivered: " + strings.Join(parts, ", ")
}

// ErrNotStarted is returned by Flush on a worker that is not running.
var ErrNotStarted = errors.New("outbox: the worker is not running")

// Flush sends now and waits: every destination tries its next entry at once,
// whatever its backoff, and Flush returns when nothing waits any more or
// every destination that still has entries has failed during the flush
// (nothing more can be done now), or when ctx ends. progress, if not nil, is
// called with the counts as delivery goes on (at most every 100 ms) and at
// the end. The error is an *UndeliveredError if entries are left queued or
// were refused or given up on during the flush.
func (w *Worker) Flush(ctx context.Context, progress func(Counts)) error {
	w.mu.Lock()
	running := w.started && !w.stopped
	w.mu.Unlock()
	if !running {
		return ErrNotStarted
	}
	start := time.Now()
	refused0, failed0 := w.refused.Load(), w.failed.Load()
	changed := make(chan struct{}, 1)
	unsubscribe := w.Subscribe(func() { poke(changed) })
	defer unsubscribe()
	w.kickWaiting()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last time.Time
	report := func(final bool) {
		if progress == nil || (!final && time.Since(last) < 100*time.Millisecond) {
			return
		}
		last = time.Now()
		if c, err := w.Counts(ctx); err == nil {
			progress(c)
		}
	}
	for {
		done, waiting, reasons, err := w.flushed(ctx, start)
		if err == nil && done {
			report(true)
			e := &UndeliveredError{Waiting: waiting, Reasons: reasons,
				Refused: int(w.refused.Load() - refused0), Failed: int(w.failed.Load() - failed0)}
			if e.Waiting+e.Refused+e.Failed > 0 {
				return e
			}
			return nil
		}
		report(false)
		select {
		case <-ctx.Done():
			report(true)
			return ctx.Err()
		case <-w.stop:
			return ErrNotStarted
		case <-changed:
		case <-tick.C:
		}
	}
}

// flushed reports whether a flush begun at start is over: nothing waits, or
// every destination with entries waiting failed since start and is backing off.
func (w *Worker) flushed(ctx context.Context, start time.Time) (done bool, waiting int, reasons []string, err error) {
	pending, err := w.pending(ctx)
	if err != nil {
		return false, 0, nil, err
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	done = true
	for name, p := range pending {
		waiting += p.count
		d := w.dests[name]
		if d == nil || d.sending || d.force || d.lastFailure.Before(start) || !d.blockedUntil.After(now) {
			done = false
			continue
		}
		reasons = append(reasons, name+": "+d.lastError)
	}
	sort.Strings(reasons)
	return done, waiting, reasons, nil
}

// kickWaiting makes every destination that is backing off try at once, and
// rescans the store; a destination busy sending is left alone.
func (w *Worker) kickWaiting() {
	now := time.Now()
	w.mu.Lock()
	for _, d := range w.dests {
		if !d.sending && d.blockedUntil.After(now) {
			d.force = true
			poke(d.wake)
		}
	}
	w.mu.Unlock()
	poke(w.wakeup)
}
