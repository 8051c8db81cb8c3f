package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/voevent"
)

// Item is an event to queue: its bytes, and a name (a file name) for reports.
type Item struct {
	Name string
	Raw  []byte
}

// ItemResult is what became of one Item: queued as entry ID, or refused.
type ItemResult struct {
	Name  string
	IVORN string
	// ID is the outbox entry, 0 when the item was not queued.
	ID int64
	// Err says why the item was not queued; a *voevent.Rejection for a bad event.
	Err error
}

// Reason says why the item was not queued, with the line of the problem
// when it is known; "" when it was queued.
func (r ItemResult) Reason() string {
	if r.Err == nil {
		return ""
	}
	return voevent.Describe(r.Err)
}

// Enqueue checks every item as a receiver would (well-formed, a VOEvent, a
// valid IVORN, the schema) and queues the good ones for dest in one
// transaction, then wakes the worker. A bad item is reported with its reason
// and line and does not stop the others; an item whose IVORN is already
// waiting for dest, or appears twice in the batch, is refused too.
func (w *Worker) Enqueue(ctx context.Context, dest string, items []Item) []ItemResult {
	out := make([]ItemResult, len(items))
	for i, it := range items {
		out[i].Name = it.Name
	}
	failAll := func(err error) []ItemResult {
		for i := range out {
			if out[i].Err == nil {
				out[i].Err = err
			}
		}
		return out
	}
	name, err := Destination(dest)
	if err != nil {
		return failAll(fmt.Errorf("bad destination: %w", err))
	}
	waiting, err := w.waitingIVORNs(ctx, name)
	if err != nil {
		return failAll(fmt.Errorf("cannot read the outbox: %w", err))
	}
	batch := map[string]string{}
	var good []store.OutboxItem
	var goodIdx []int
	for i, it := range items {
		r := &out[i]
		if len(it.Raw) == 0 {
			r.Err = errors.New("empty: nothing to send")
			continue
		}
		ev, err := w.opt.Checker.Check(it.Raw)
		if ev != nil {
			r.IVORN = ev.IVORN
		}
		if err != nil {
			r.Err = err
			continue
		}
		if id, ok := waiting[ev.IVORN]; ok {
			r.Err = fmt.Errorf("already queued for %s as entry %d", name, id)
			continue
		}
		if first, ok := batch[ev.IVORN]; ok {
			r.Err = fmt.Errorf("same IVORN as %s, earlier in this batch", first)
			continue
		}
		batch[ev.IVORN] = it.Name
		good = append(good, store.OutboxItem{Destination: name, IVORN: ev.IVORN, Raw: it.Raw})
		goodIdx = append(goodIdx, i)
	}
	if len(good) == 0 {
		return out
	}
	// The watchers hear "queued" before any attempt on these entries (an
	// attempt's changes wait for changeMu), even one by a destination's
	// goroutine that finds them before Enqueue returns.
	w.changeMu.Lock()
	ids, err := w.st.EnqueueBatch(ctx, good)
	if err != nil {
		w.changeMu.Unlock()
		err = fmt.Errorf("could not queue: %w", err)
		for _, i := range goodIdx {
			out[i].Err = err
		}
		return out
	}
	cs := make([]Change, len(ids))
	for k, i := range goodIdx {
		out[i].ID = ids[k]
		cs[k] = Change{ID: ids[k], State: StateQueued}
	}
	w.changedLocked(cs...)
	w.changeMu.Unlock()
	w.wake(name, false)
	w.notify()
	return out
}
