package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Position is an archived alert's place on the sky, compact for drawing
// many: degrees, Err 0 when unknown.
type Position struct {
	ID           int64
	RA, Dec, Err float32
}

// SkyQuery selects the alerts the sky map and rate chart show.
type SkyQuery struct {
	// Since and Until bound the received time; zero values do not bound.
	Since, Until time.Time
	// Test includes test and mock alerts (hidden by default); ignored
	// when Events is set, whose HideTest decides.
	Test bool
	// Events, when set, selects only the alerts that this archive-list
	// query selects, by the same conditions (its cursor and limit aside).
	Events *EventQuery
}

// planned is q with its Events query made ready for conds (the index
// flushed for a search, the source filter's plan chosen).
func (s *Store) planned(ctx context.Context, q SkyQuery) (SkyQuery, error) {
	if q.Events == nil {
		return q, nil
	}
	e := *q.Events
	e.After, e.Limit, e.counting = Cursor{}, 0, false
	s.indexBeforeSearch(e)
	if err := s.planSource(ctx, &e, false); err != nil {
		return q, err
	}
	q.Events = &e
	return q, nil
}

// where is q's WHERE clause with conds added; q must be planned.
func (q SkyQuery) where(conds ...string) (string, []any) {
	var args []any
	if !q.Since.IsZero() {
		conds, args = append(conds, "received_at >= ?"), append(args, q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		conds, args = append(conds, "received_at < ?"), append(args, q.Until.UnixMilli())
	}
	if q.Events != nil {
		c, a := q.Events.conds()
		conds, args = append(conds, c...), append(args, a...)
	} else {
		conds = append(conds, noHeartbeats)
		if !q.Test {
			conds = append(conds, "test = 0")
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Positions returns the id, RA, Dec and error radius of every alert with a
// position that q selects, oldest first, in one query; an alert with a sky
// map and no position is placed at the map's most probable point, Err 0.
func (s *Store) Positions(ctx context.Context, q SkyQuery) (_ []Position, err error) {
	defer s.note(&err)
	q, err = s.planned(ctx, q)
	if err != nil {
		return nil, err
	}
	where, args := q.where("(ra IS NOT NULL AND dec IS NOT NULL OR skymap IS NOT NULL)")
	rows, err := s.db.QueryContext(ctx, `SELECT id, coalesce(ra, json_extract(skymap, '$.ra')), coalesce(dec, json_extract(skymap, '$.dec')),
		CASE WHEN ra IS NULL THEN 0 ELSE coalesce(err, 0) END FROM events`+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Position, 0, 1024)
	for rows.Next() {
		var p Position
		var ra, dec sql.NullFloat64
		var e float64
		if err := rows.Scan(&p.ID, &ra, &dec, &e); err != nil {
			return nil, err
		}
		if !ra.Valid || !dec.Valid {
			continue
		}
		p.RA, p.Dec, p.Err = float32(ra.Float64), float32(dec.Float64), float32(e)
		out = append(out, p)
	}
	return out, rows.Err()
}

// LastEventID is the newest archived alert's id (0 for none); heartbeats,
// which are no alerts, do not count.
func (s *Store) LastEventID(ctx context.Context) (_ int64, err error) {
	defer s.note(&err)
	var id sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT max(id) FROM events WHERE `+noHeartbeats).Scan(&id)
	return id.Int64, err
}

// EventsAfter returns up to limit archived alerts with ids above id, oldest
// first, heartbeats aside.
func (s *Store) EventsAfter(ctx context.Context, id int64, limit int) (_ []EventRow, err error) {
	defer s.note(&err)
	rows, err := s.db.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id > ? AND `+noHeartbeats+` ORDER BY id LIMIT ?`, id, limit)
	return s.markRetracted(ctx, rows, err)
}
