package store

import (
	"context"
	"time"
)

// RateBin is how many alerts of one source arrived in one time bucket.
type RateBin struct {
	// Start is the bucket's start (a multiple of the bucket width since the epoch).
	Start time.Time
	// Source is the Kafka topic, or else the source (peer or subscription).
	Source string
	Count  int
}

// Rates counts the alerts that q selects per bucket of width and per
// source, in one GROUP BY query, oldest bucket first.
func (s *Store) Rates(ctx context.Context, q SkyQuery, width time.Duration) (_ []RateBin, err error) {
	defer s.note(&err)
	ms := width.Milliseconds()
	if ms <= 0 {
		ms = time.Hour.Milliseconds()
	}
	q, err = s.planned(ctx, q)
	if err != nil {
		return nil, err
	}
	where, args := q.where()
	rows, err := s.db.QueryContext(ctx, `SELECT (received_at / ?) * ? AS b, CASE WHEN topic != '' THEN topic ELSE source END AS src, count(*)
		FROM events`+where+` GROUP BY b, src ORDER BY b, src`, append([]any{ms, ms}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RateBin
	for rows.Next() {
		var b RateBin
		var start int64
		if err := rows.Scan(&start, &b.Source, &b.Count); err != nil {
			return nil, err
		}
		b.Start = time.UnixMilli(start).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}
