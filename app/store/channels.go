package store

import (
	"context"
	"database/sql"
	"time"
)

// The states of a channel delivery.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// ChannelCursorKey is the setting that holds the id of the last archived
// alert the channels' dispatcher has decided on.
const ChannelCursorKey = "channels.cursor"

// Delivery is one notification to one channel, or what became of it.
type Delivery struct {
	ID      int64
	Channel string
	// Key is the message's idempotency key, the same on every retry.
	Key string
	// Trigger is the alert's trigger ("" for none); Retraction marks the
	// notification that says it is retracted (never collapsed).
	Trigger    string
	Retraction bool
	// EventID is the archived alert the row speaks of (the latest one for
	// a collapsed row).
	EventID int64
	Rule    string
	// Title and Body are the latest alert's words; Message is the rest of
	// the message, as the app encodes it.
	Title, Body string
	Message     []byte
	// Updates counts the alerts collapsed into the row (1: none).
	Updates     int
	State       string
	Attempts    int
	NextAttempt time.Time
	LastError   string
	Created     time.Time
	Sent        time.Time
}

const deliveryColumns = `id, channel, key, "trigger", retraction, event_id, rule, title, body, message, updates, state, attempts, next_attempt_at, last_error, created_at, sent_at`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var next, created int64
	var sent sql.NullInt64
	var msg string
	if err := sc.Scan(&d.ID, &d.Channel, &d.Key, &d.Trigger, &d.Retraction, &d.EventID, &d.Rule, &d.Title, &d.Body, &msg,
		&d.Updates, &d.State, &d.Attempts, &next, &d.LastError, &created, &sent); err != nil {
		return d, err
	}
	d.Message = []byte(msg)
	d.NextAttempt, d.Created = time.UnixMilli(next), time.UnixMilli(created)
	if sent.Valid {
		d.Sent = time.UnixMilli(sent.Int64)
	}
	return d, nil
}

// EnqueueDeliveries writes the deliveries and moves the dispatcher's
// cursor to cursor, in one transaction: either both or neither. A live
// delivery (not a retraction) of a trigger for which a pending row of the
// same channel exists, never attempted and not busy (being sent), is
// collapsed into it: the row takes the new alert's words and counts one
// more update. A live delivery that follows a row of its trigger created
// less than collapse before waits until collapse after that row, so that
// its trigger's next updates collapse into it; a retraction is due at
// once and makes its trigger's waiting rows due at once too. A key
// already written is not written again. It returns the rows inserted and
// those collapsed.
func (s *Store) EnqueueDeliveries(ctx context.Context, cursor int64, items []Delivery, collapse time.Duration, now time.Time, busy func(id int64) bool) (inserted, collapsed int, err error) {
	defer s.note(&err)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	ms := now.UnixMilli()
	for _, d := range items {
		if d.Trigger != "" && !d.Retraction {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM channel_deliveries WHERE channel = ? AND "trigger" = ? AND state = 'pending'
				AND retraction = 0 AND attempts = 0 ORDER BY id DESC LIMIT 1`, d.Channel, d.Trigger).Scan(&id)
			if err != nil && err != sql.ErrNoRows {
				return 0, 0, err
			}
			if err == nil && (busy == nil || !busy(id)) {
				if _, err := tx.ExecContext(ctx, `UPDATE channel_deliveries SET event_id = ?, rule = ?, title = ?, body = ?, message = ?, updates = updates + 1 WHERE id = ?`,
					d.EventID, d.Rule, d.Title, d.Body, string(d.Message), id); err != nil {
					return 0, 0, err
				}
				collapsed++
				continue
			}
		}
		due := ms
		if d.Trigger != "" {
			if d.Retraction {
				if _, err := tx.ExecContext(ctx, `UPDATE channel_deliveries SET next_attempt_at = ? WHERE channel = ? AND "trigger" = ?
					AND state = 'pending' AND attempts = 0 AND next_attempt_at > ?`, ms, d.Channel, d.Trigger, ms); err != nil {
					return 0, 0, err
				}
			} else {
				var last sql.NullInt64
				if err := tx.QueryRowContext(ctx, `SELECT max(created_at) FROM channel_deliveries WHERE channel = ? AND "trigger" = ?`,
					d.Channel, d.Trigger).Scan(&last); err != nil {
					return 0, 0, err
				}
				if last.Valid && last.Int64+collapse.Milliseconds() > ms {
					due = last.Int64 + collapse.Milliseconds()
				}
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO channel_deliveries(channel, key, "trigger", retraction, event_id, rule, title, body, message, state, next_attempt_at, created_at)
			VALUES(?,?,?,?,?,?,?,?,?,'pending',?,?) ON CONFLICT(key) DO NOTHING`,
			d.Channel, d.Key, d.Trigger, d.Retraction, d.EventID, d.Rule, d.Title, d.Body, string(d.Message), due, ms)
		if err != nil {
			return 0, 0, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			inserted++
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
		ChannelCursorKey, cursor); err != nil {
		return 0, 0, err
	}
	return inserted, collapsed, tx.Commit()
}

// ChannelSaid is what a channel was told of a trigger: NotifiedRetracted
// when a retraction was queued for it, NotifiedLive when a live alert was,
// else "".
func (s *Store) ChannelSaid(ctx context.Context, channel, trigger string) (_ string, err error) {
	defer s.note(&err)
	var n int
	var retr sql.NullBool
	err = s.db.QueryRowContext(ctx, `SELECT count(*), max(retraction) FROM channel_deliveries WHERE channel = ? AND "trigger" = ?`, channel, trigger).Scan(&n, &retr)
	switch {
	case err != nil:
		return "", err
	case n == 0:
		return "", nil
	case retr.Valid && retr.Bool:
		return NotifiedRetracted, nil
	}
	return NotifiedLive, nil
}

// DueDeliveries returns up to limit pending deliveries due by now, oldest first.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) (_ []Delivery, err error) {
	defer s.note(&err)
	return s.deliveries(ctx, `WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`, now.UnixMilli(), limit)
}

// NextDelivery is when the earliest pending delivery is due (false: none).
func (s *Store) NextDelivery(ctx context.Context) (_ time.Time, _ bool, err error) {
	defer s.note(&err)
	var next sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM channel_deliveries WHERE state = 'pending'`).Scan(&next)
	return time.UnixMilli(next.Int64), next.Valid, err
}

// Deliveries returns a channel's deliveries ("": every channel's), oldest first.
func (s *Store) Deliveries(ctx context.Context, channel string) (_ []Delivery, err error) {
	defer s.note(&err)
	return s.deliveries(ctx, `WHERE ? = '' OR channel = ? ORDER BY id`, channel, channel)
}

// deliveries reads the deliveries that a WHERE clause (with its ORDER BY
// and LIMIT) selects.
func (s *Store) deliveries(ctx context.Context, where string, args ...any) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM channel_deliveries `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeliveryStarted counts an attempt of a delivery, before it is sent: a
// row attempted once, which a server may have accepted under its key, is
// never collapsed into (its new words would be dropped as a repeat).
func (s *Store) DeliveryStarted(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE channel_deliveries SET attempts = attempts + 1 WHERE id = ?`, id)
	return err
}

// DeliverySent marks a delivery sent at now.
func (s *Store) DeliverySent(ctx context.Context, id int64, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE channel_deliveries SET state = 'sent', last_error = '', sent_at = ? WHERE id = ?`, now.UnixMilli(), id)
	return err
}

// DeliveryRetry records why an attempt of a delivery failed; it is tried again at next.
func (s *Store) DeliveryRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE channel_deliveries SET next_attempt_at = ?, last_error = ? WHERE id = ?`, next.UnixMilli(), reason, id)
	return err
}

// DeliveryFailed marks a delivery failed for good, for reason.
func (s *Store) DeliveryFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE channel_deliveries SET state = 'failed', last_error = ? WHERE id = ?`, reason, id)
	return err
}

// RetryDeliveries makes a channel's failed deliveries, and those waiting
// for a retry, pending and due at now; it returns how many.
func (s *Store) RetryDeliveries(ctx context.Context, channel string, now time.Time) (_ int64, err error) {
	defer s.note(&err)
	res, err := s.db.ExecContext(ctx, `UPDATE channel_deliveries SET state = 'pending', next_attempt_at = ? WHERE channel = ?
		AND (state = 'failed' OR state = 'pending' AND attempts > 0)`, now.UnixMilli(), channel)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteDeliveries deletes a channel's deliveries.
func (s *Store) DeleteDeliveries(ctx context.Context, channel string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM channel_deliveries WHERE channel = ?`, channel)
	return err
}

// DeliveryCounts is one channel's deliveries in numbers.
type DeliveryCounts struct {
	Pending, Sent, Failed int
	// LastSent is when the last one was sent (zero: never).
	LastSent time.Time
	// LastError is the newest unsent row's error ("" for none), and
	// Attempts that row's attempts.
	LastError string
	Attempts  int
}

// ChannelDeliveryCounts counts each channel's deliveries.
func (s *Store) ChannelDeliveryCounts(ctx context.Context) (_ map[string]DeliveryCounts, err error) {
	defer s.note(&err)
	rows, err := s.db.QueryContext(ctx, `SELECT channel, sum(state = 'pending'), sum(state = 'sent'), sum(state = 'failed'), max(sent_at),
		(SELECT last_error || char(0) || attempts FROM channel_deliveries e WHERE e.channel = d.channel AND e.state != 'sent' AND e.last_error != '' ORDER BY e.id DESC LIMIT 1)
		FROM channel_deliveries d GROUP BY channel`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]DeliveryCounts{}
	for rows.Next() {
		var name string
		var c DeliveryCounts
		var sent sql.NullInt64
		var last sql.NullString
		if err := rows.Scan(&name, &c.Pending, &c.Sent, &c.Failed, &sent, &last); err != nil {
			return nil, err
		}
		if sent.Valid {
			c.LastSent = time.UnixMilli(sent.Int64)
		}
		if last.Valid {
			for i := len(last.String) - 1; i >= 0; i-- {
				if last.String[i] == 0 {
					c.LastError = last.String[:i]
					for _, r := range last.String[i+1:] {
						c.Attempts = c.Attempts*10 + int(r-'0')
					}
					break
				}
			}
		}
		out[name] = c
	}
	return out, rows.Err()
}
