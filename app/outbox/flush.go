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
func CountsOf(m map[store.State]int) Counts {
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

// Error says what is left and why.
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

// Flush sends now and waits: every destination with entries waiting tries
// at once, whatever its backoff, and Flush returns when nothing waits any
// more or every destination that still has entries has failed during the
// flush (nothing more can be done now), or when ctx ends. progress, if not
// nil, is called with the counts as delivery goes on (at most every 100 ms)
// and at the end. The error is an *UndeliveredError if entries are left
// queued or were refused or given up on during the flush.
func (w *Worker) Flush(ctx context.Context, progress func(Counts)) error {
	start := time.Now()
	w.mu.Lock()
	if !w.started || w.stopped {
		w.mu.Unlock()
		return ErrNotStarted
	}
	if w.flushes == 0 || w.flushSince.Before(start) {
		w.flushSince = start
	}
	w.flushes++
	for _, d := range w.dests {
		poke(d.wake)
	}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		if w.flushes--; w.flushes == 0 {
			w.flushSince = time.Time{}
		}
		w.mu.Unlock()
	}()
	refused0, failed0 := w.refused.Load(), w.failed.Load()
	changed := make(chan struct{}, 1)
	unsubscribe := w.Subscribe(func() { poke(changed) })
	defer unsubscribe()
	poke(w.wakeup)

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
	for !w.flushed(start) {
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
	report(true)
	pending, err := w.pending(ctx)
	if err != nil {
		return err
	}
	e := &UndeliveredError{Refused: int(w.refused.Load() - refused0), Failed: int(w.failed.Load() - failed0)}
	w.mu.Lock()
	for name, n := range pending {
		e.Waiting += n
		reason := "not tried yet"
		if d := w.dests[name]; d != nil && d.lastError != "" {
			reason = d.lastError
		}
		e.Reasons = append(e.Reasons, name+": "+reason)
	}
	w.mu.Unlock()
	sort.Strings(e.Reasons)
	if e.Waiting+e.Refused+e.Failed > 0 {
		return e
	}
	return nil
}

// flushed reports whether a flush begun at start is over: the store was
// scanned since, and every destination still delivering has failed since
// start and is backing off.
func (w *Worker) flushed(start time.Time) bool {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastScan.Before(start) {
		return false
	}
	for _, d := range w.dests {
		if !d.running {
			continue
		}
		if d.sending || d.force || d.lastFailure.Before(start) || !d.blockedUntil.After(now) {
			return false
		}
	}
	return true
}
