package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/starling-broker/starling/app/store"
)

// RetryDestination makes every queued or failed entry of destination dest
// due now, tells it to try at once ("retry now" for one destination), and
// returns how many entries it touched.
func (w *Worker) RetryDestination(ctx context.Context, dest string) (int, error) {
	name, err := Destination(dest)
	if err != nil {
		return 0, fmt.Errorf("bad destination: %w", err)
	}
	return w.retryWaiting(ctx, name)
}

// retryWaiting makes the queued or failed entries of destination name (of
// every one for "") due now, wakes the destinations and tells the watchers.
func (w *Worker) retryWaiting(ctx context.Context, name string) (int, error) {
	rows, err := w.st.DB().QueryContext(ctx, `UPDATE outbox SET state = ?, next_attempt_at = ?
		WHERE (? = '' OR +destination = ?) AND state IN (?, ?) RETURNING id, last_error`,
		store.StateQueued, time.Now().UnixMilli(), name, name, store.StateQueued, store.StateFailed)
	if err != nil {
		return 0, err
	}
	var cs []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.ID, &c.Reason); err != nil {
			rows.Close()
			return 0, err
		}
		c.State = store.StateQueued
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	w.mu.Lock()
	for n, d := range w.dests {
		if name == "" || n == name {
			d.blockedUntil = time.Time{}
		}
	}
	if name != "" {
		w.destLocked(name).blockedUntil = time.Time{}
	}
	w.mu.Unlock()
	w.wake(name, true)
	w.changed(cs...)
	w.notify()
	return len(cs), nil
}
