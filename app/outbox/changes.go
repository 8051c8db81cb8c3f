package outbox

import (
	"github.com/starling-broker/starling/app/store"
)

// StateDeleted is the state a Change reports for an entry that was deleted.
const StateDeleted store.State = "deleted"

// Change is one entry's new state, as the worker made or saw it.
type Change struct {
	ID     int64
	State  store.State
	Reason string
}

// WatchEntries registers f to be called, in order, with every change of an
// entry's state the worker makes (queued, sending, sent, refused, failed,
// cancelled, deleted, retried); f is called from the worker's goroutines and
// must not block. The returned function unregisters it.
func (w *Worker) WatchEntries(f func(Change)) (cancel func()) { return w.watchers.Add(f) }

// changed tells the entry watchers of changes, in order.
func (w *Worker) changed(cs ...Change) {
	w.changeMu.Lock()
	defer w.changeMu.Unlock()
	w.changedLocked(cs...)
}

// changedLocked is changed with w.changeMu held.
func (w *Worker) changedLocked(cs ...Change) { w.watchers.Tell(cs...) }
