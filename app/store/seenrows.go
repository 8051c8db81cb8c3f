package store

import (
	"context"
	"strings"
)

// EventRowsByKeys returns the newest archived row of each key (IVORN or
// "sha256:…") that the archive holds, without raw bytes; keys it does not
// hold are left out.
func (s *Store) EventRowsByKeys(ctx context.Context, keys []string) (_ map[string]EventRow, err error) {
	defer s.note(&err)
	out := make(map[string]EventRow, len(keys))
	const batch = 200
	for len(keys) > 0 {
		n := min(batch, len(keys))
		part := keys[:n]
		keys = keys[n:]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		rows, err := s.db.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE ivorn IN (`+marks+`) ORDER BY id`, args...)
		if err != nil {
			return out, err
		}
		for rows.Next() {
			r, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return out, err
			}
			out[r.IVORN] = r // ordered by id: the newest wins
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return out, err
		}
		if err := rows.Close(); err != nil {
			return out, err
		}
	}
	return out, nil
}
