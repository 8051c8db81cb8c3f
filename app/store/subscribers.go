package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// SubscriberCursor is where one of the broadcaster's subscribers is in the
// archive (the subscribers table).
type SubscriberCursor struct {
	// Key names the subscriber: "ivo:IVO" or "ip:ADDRESS".
	Key string
	// LastEventID is the archive id up to which it has what it should have.
	LastEventID int64
	// LastSeen is when it was last connected.
	LastSeen time.Time
	// Filters are the XPath filters it last sent.
	Filters []string
}

// RawEvent is one archived alert's id and raw bytes.
type RawEvent struct {
	ID  int64
	Raw []byte
}

// SubscriberCursor returns the cursor kept for key; ok is false when there is none.
func (s *Store) SubscriberCursor(ctx context.Context, key string) (c SubscriberCursor, ok bool, err error) {
	var seenMs int64
	var filters string
	err = s.db.QueryRowContext(ctx, `SELECT last_event_id, last_seen, filter FROM subscribers WHERE key = ?`, key).Scan(&c.LastEventID, &seenMs, &filters)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	c.Key, c.LastSeen = key, time.UnixMilli(seenMs)
	if filters != "" {
		_ = json.Unmarshal([]byte(filters), &c.Filters) // for the record only
	}
	return c, true, nil
}

// SaveSubscriberCursors records cursors, replacing those with the same
// keys, in one transaction (one durable commit however many there are).
func (s *Store) SaveSubscriberCursors(ctx context.Context, cs []SubscriberCursor) error {
	if len(cs) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO subscribers(key, last_event_id, last_seen, filter) VALUES(?,?,?,?)
		ON CONFLICT(key) DO UPDATE SET last_event_id = excluded.last_event_id, last_seen = excluded.last_seen, filter = excluded.filter`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, c := range cs {
		filters := c.Filters
		if filters == nil {
			filters = []string{}
		}
		js, err := json.Marshal(filters)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, c.Key, c.LastEventID, c.LastSeen.UnixMilli(), string(js)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// VOEventsAfter returns up to limit archived VOEvents with ids above after,
// in id order, with their raw bytes as received; JSON alerts are left out
// (they are never relayed over VTP), test events are not. Ids grow in the order alerts are committed
// (one writer), so a read sees every alert up to the last id it returns.
func (s *Store) VOEventsAfter(ctx context.Context, after int64, limit int) ([]RawEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.id, r.raw FROM events e JOIN event_raw r ON r.id = e.id
		WHERE e.id > ? AND e.format = 'voevent' ORDER BY e.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RawEvent
	for rows.Next() {
		var e RawEvent
		if err := rows.Scan(&e.ID, &e.Raw); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
