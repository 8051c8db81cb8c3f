package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// State is where an outbox entry is in its life.
type State string

// Outbox states.
const (
	StateQueued    State = "queued"
	StateSending   State = "sending"
	StateSent      State = "sent"
	StateRefused   State = "refused"
	StateFailed    State = "failed"
	StateCancelled State = "cancelled"
)

// OutboxEntry is one event waiting to be sent, or what became of it.
type OutboxEntry struct {
	ID          int64
	Destination string
	IVORN       string
	Raw         []byte
	State       State
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Created     time.Time
	Sent        time.Time
}

// OutboxItem is an event to enqueue.
type OutboxItem struct {
	Destination string
	IVORN       string
	Raw         []byte
}

const outboxColumns = `id, destination, ivorn, raw, state, attempts, next_attempt_at, last_error, created_at, sent_at`

func scanOutbox(sc interface{ Scan(...any) error }) (OutboxEntry, error) {
	var e OutboxEntry
	var next, created int64
	var sent sql.NullInt64
	if err := sc.Scan(&e.ID, &e.Destination, &e.IVORN, &e.Raw, &e.State, &e.Attempts, &next, &e.LastError, &created, &sent); err != nil {
		return e, err
	}
	e.NextAttempt, e.Created = time.UnixMilli(next), time.UnixMilli(created)
	if sent.Valid {
		e.Sent = time.UnixMilli(sent.Int64)
	}
	return e, nil
}

// Enqueue queues one event for dest and returns its id.
func (s *Store) Enqueue(ctx context.Context, dest, ivorn string, raw []byte) (int64, error) {
	ids, err := s.EnqueueBatch(ctx, []OutboxItem{{Destination: dest, IVORN: ivorn, Raw: raw}})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// EnqueueBatch queues several events in one transaction and returns their ids.
func (s *Store) EnqueueBatch(ctx context.Context, items []OutboxItem) ([]int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO outbox(destination, ivorn, raw, state, attempts, next_attempt_at, created_at) VALUES(?,?,?,?,0,?,?) RETURNING id`)
	if err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		var id int64
		if err := st.QueryRowContext(ctx, it.Destination, it.IVORN, it.Raw, StateQueued, now, now).Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, tx.Commit()
}

// ListOutbox lists entries in a state ("" for all), newest first.
func (s *Store) ListOutbox(ctx context.Context, state State, limit int) ([]OutboxEntry, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE ? = '' OR state = ? ORDER BY id DESC LIMIT ?`, state, state, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		e, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// GetOutbox returns one entry.
func (s *Store) GetOutbox(ctx context.Context, id int64) (OutboxEntry, error) {
	e, err := scanOutbox(s.db.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return e, ErrNotFound
	}
	return e, err
}

// NextQueued returns the oldest queued entry for dest (due or not), or nil.
// Entries of one destination are sent in id order, so only this one may go next.
func (s *Store) NextQueued(ctx context.Context, dest string) (*OutboxEntry, error) {
	e, err := scanOutbox(s.db.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE destination = ? AND state = ? ORDER BY id LIMIT 1`, dest, StateQueued))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// NextDue returns the oldest queued entry for dest if it is due by now, or nil.
func (s *Store) NextDue(ctx context.Context, dest string, now time.Time) (*OutboxEntry, error) {
	e, err := s.NextQueued(ctx, dest)
	if err != nil || e == nil || e.NextAttempt.After(now) {
		return nil, err
	}
	return e, nil
}

// Destinations lists the destinations that have queued entries.
func (s *Store) Destinations(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT destination FROM outbox WHERE state = ? ORDER BY destination`, StateQueued)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *Store) update(ctx context.Context, id int64, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, append(args, id)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("outbox entry %d: %w", id, ErrNotFound)
	}
	return nil
}

// MarkSending records that an attempt starts; the entry must still be queued
// (one cancelled a moment before is not sent).
func (s *Store) MarkSending(ctx context.Context, id int64) error {
	return s.update(ctx, id, `UPDATE outbox SET state = ?, attempts = attempts + 1 WHERE state = ? AND id = ?`, StateSending, StateQueued)
}

// MarkSent records an ack.
func (s *Store) MarkSent(ctx context.Context, id int64, note string) error {
	return s.update(ctx, id, `UPDATE outbox SET state = ?, sent_at = ?, last_error = ? WHERE id = ?`, StateSent, time.Now().UnixMilli(), note)
}

// MarkRefused records a permanent refusal (a nak that will not change).
func (s *Store) MarkRefused(ctx context.Context, id int64, reason string) error {
	return s.update(ctx, id, `UPDATE outbox SET state = ?, last_error = ? WHERE id = ?`, StateRefused, reason)
}

// MarkRetry puts an entry back in the queue for another attempt at next.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	return s.update(ctx, id, `UPDATE outbox SET state = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`, StateQueued, next.UnixMilli(), reason)
}

// MarkFailed gives up on an entry.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	return s.update(ctx, id, `UPDATE outbox SET state = ?, last_error = ? WHERE id = ?`, StateFailed, reason)
}

// Retry makes a queued, failed, refused or cancelled entry due now.
func (s *Store) Retry(ctx context.Context, id int64) error {
	return s.update(ctx, id, `UPDATE outbox SET state = ?, next_attempt_at = ? WHERE state IN (?,?,?,?) AND id = ?`,
		StateQueued, time.Now().UnixMilli(), StateQueued, StateFailed, StateRefused, StateCancelled)
}

// RetryAll makes every queued or failed entry due now and returns how many.
func (s *Store) RetryAll(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = ?, next_attempt_at = ? WHERE state IN (?,?)`,
		StateQueued, time.Now().UnixMilli(), StateQueued, StateFailed)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Cancel stops a queued or failed entry from being sent.
func (s *Store) Cancel(ctx context.Context, id int64) error {
	return s.update(ctx, id, `UPDATE outbox SET state = ? WHERE state IN (?,?) AND id = ?`, StateCancelled, StateQueued, StateFailed)
}

// Delete removes an entry that is not being sent.
func (s *Store) Delete(ctx context.Context, id int64) error {
	return s.update(ctx, id, `DELETE FROM outbox WHERE state <> ? AND id = ?`, StateSending)
}

// ResetSending puts entries left in "sending" by a crash back in the queue.
func (s *Store) ResetSending(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = ? WHERE state = ?`, StateQueued, StateSending)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// OutboxCounts counts entries by state.
func (s *Store) OutboxCounts(ctx context.Context) (map[State]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[State]int{}
	for rows.Next() {
		var st State
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// OutboxWaiting counts the entries queued or being sent and gives the
// earliest next attempt among each destination's head entry (zero when
// none waits), in one query.
func (s *Store) OutboxWaiting(ctx context.Context) (n int, next time.Time, err error) {
	var ms sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM outbox WHERE state IN (?, ?)),
		(SELECT min(next_attempt_at) FROM outbox WHERE id IN
			(SELECT min(id) FROM outbox WHERE state = ? GROUP BY destination))`,
		StateQueued, StateSending, StateQueued).Scan(&n, &ms)
	if ms.Valid {
		next = time.UnixMilli(ms.Int64)
	}
	return n, next, err
}
