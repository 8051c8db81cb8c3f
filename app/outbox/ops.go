package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/starling-broker/starling/app/store"
)

// ErrBusy reports an entry that cannot be changed in its current state.
var ErrBusy = errors.New("entry is being sent")

// Retry makes a queued, failed, refused or cancelled entry due now and tells
// its destination to try at once ("retry now").
func (w *Worker) Retry(ctx context.Context, id int64) error {
	e, err := w.st.GetOutbox(ctx, id)
	if err != nil {
		return entryErr(id, err)
	}
	switch e.State {
	case store.StateSending:
		return fmt.Errorf("entry %d: %w", id, ErrBusy)
	case store.StateSent:
		return fmt.Errorf("entry %d was already delivered (%s); queue the file again to resend it", id, e.Sent.Format("2006-01-02 15:04:05"))
	}
	if err := w.st.Retry(ctx, id); err != nil {
		return entryErr(id, err)
	}
	w.wake(e.Destination, true)
	w.changed(Change{ID: id, State: StateQueued, Reason: e.LastError})
	w.notify()
	return nil
}

// RetryAll makes every queued or failed entry due now, tells every
// destination to try at once, and returns how many entries it touched.
func (w *Worker) RetryAll(ctx context.Context) (int64, error) {
	n, err := w.retryWaiting(ctx, "")
	return int64(n), err
}

// Cancel stops a queued or failed entry from being sent; it stays listed as cancelled.
func (w *Worker) Cancel(ctx context.Context, id int64) error {
	e, err := w.st.GetOutbox(ctx, id)
	if err != nil {
		return entryErr(id, err)
	}
	if e.State != store.StateQueued && e.State != store.StateFailed {
		if e.State == store.StateSending {
			return fmt.Errorf("entry %d: %w", id, ErrBusy)
		}
		return fmt.Errorf("entry %d is %s: only a queued or failed entry can be cancelled", id, e.State)
	}
	if err := w.st.Cancel(ctx, id); err != nil {
		return entryErr(id, err)
	}
	w.wake(e.Destination, false)
	w.changed(Change{ID: id, State: store.StateCancelled, Reason: "cancelled by hand"})
	w.notify()
	return nil
}

// Delete removes an entry that is not being sent.
func (w *Worker) Delete(ctx context.Context, id int64) error {
	e, err := w.st.GetOutbox(ctx, id)
	if err != nil {
		return entryErr(id, err)
	}
	if e.State == store.StateSending {
		return fmt.Errorf("entry %d: %w", id, ErrBusy)
	}
	if err := w.st.Delete(ctx, id); err != nil {
		return entryErr(id, err)
	}
	w.wake(e.Destination, false)
	w.changed(Change{ID: id, State: StateDeleted, Reason: "deleted from the outbox"})
	w.notify()
	return nil
}

func entryErr(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no outbox entry %d", id)
	}
	return err
}
