package outbox

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/starling-broker/starling/app/store"
)

// Queries the store does not offer, or offers at a cost that grows with the
// outbox's history; they read its outbox table directly.

// nextQueued returns the oldest queued entry for dest with an id of at least
// from, or nil. The worker keeps from just past what it has sent, so that
// the search does not walk the destination's history of sent entries; the
// store's NextQueued does, and slows down as the outbox grows.
func (w *Worker) nextQueued(ctx context.Context, dest string, from int64) (*store.OutboxEntry, error) {
	var e store.OutboxEntry
	var next, created int64
	err := w.st.DB().QueryRowContext(ctx, `SELECT id, destination, ivorn, raw, state, attempts, next_attempt_at, last_error, created_at
		FROM outbox WHERE destination = ? AND id >= ? AND state = 'queued' ORDER BY id LIMIT 1`, dest, from).
		Scan(&e.ID, &e.Destination, &e.IVORN, &e.Raw, &e.State, &e.Attempts, &next, &e.LastError, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e.NextAttempt, e.Created = time.UnixMilli(next), time.UnixMilli(created)
	return &e, nil
}

// pending counts waiting entries (queued or sending) per destination. The
// unary + keeps SQLite off the destination index, which would walk every
// destination's history, and on the (state, next_attempt_at) one.
func (w *Worker) pending(ctx context.Context) (map[string]int, error) {
	rows, err := w.st.DB().QueryContext(ctx, `SELECT destination, count(*) FROM outbox
		WHERE state IN ('queued', 'sending') GROUP BY +destination`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		out[name] = n
	}
	return out, rows.Err()
}

// waitingIVORNs maps the IVORNs waiting (queued or sending) for dest to their entry ids.
func (w *Worker) waitingIVORNs(ctx context.Context, dest string) (map[string]int64, error) {
	rows, err := w.st.DB().QueryContext(ctx, `SELECT ivorn, id FROM outbox
		WHERE +destination = ? AND state IN ('queued', 'sending')`, dest)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var ivorn string
		var id int64
		if err := rows.Scan(&ivorn, &id); err != nil {
			return nil, err
		}
		out[ivorn] = id
	}
	return out, rows.Err()
}
