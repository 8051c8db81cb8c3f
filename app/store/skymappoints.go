package store

import (
	"context"
	"database/sql"
)

// SkymapPoints returns the alerts that give no position but carry a sky
// map, each at its map's most probable point (Err 0), oldest first; test
// and mock alerts only when test is set. It reads the partial index of
// the alerts with a sky map (events_with_skymap, named: the planner
// would rather read the alerts in id order), not the whole archive.
func (s *Store) SkymapPoints(ctx context.Context, test bool) (_ []Position, err error) {
	defer s.note(&err)
	where := ` WHERE skymap IS NOT NULL AND (ra IS NULL OR dec IS NULL) AND ` + noHeartbeats
	if !test {
		where += ` AND test = 0`
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, json_extract(skymap, '$.ra'), json_extract(skymap, '$.dec') FROM events INDEXED BY events_with_skymap`+where+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Position
	for rows.Next() {
		var p Position
		var ra, dec sql.NullFloat64
		if err := rows.Scan(&p.ID, &ra, &dec); err != nil {
			return nil, err
		}
		if ra.Valid && dec.Valid {
			p.RA, p.Dec = float32(ra.Float64), float32(dec.Float64)
			out = append(out, p)
		}
	}
	return out, rows.Err()
}
