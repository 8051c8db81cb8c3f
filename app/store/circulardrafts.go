package store

import (
	"context"
	"database/sql"
	"time"
)

// CircularDraftRow is one trigger's Circular draft as the archive keeps it.
type CircularDraftRow struct {
	// Trigger is the trigger key.
	Trigger string
	// Draft is the draft as JSON (circular.Draft).
	Draft string
	// Updated is when it was last saved.
	Updated time.Time
}

// CircularDraft returns a trigger's saved Circular draft, ok false when it has none.
func (s *Store) CircularDraft(ctx context.Context, trigger string) (r CircularDraftRow, ok bool, err error) {
	defer s.note(&err)
	var ms int64
	err = s.db.QueryRowContext(ctx, `SELECT "trigger", draft, updated FROM circular_drafts WHERE "trigger" = ?`, trigger).Scan(&r.Trigger, &r.Draft, &ms)
	if err == sql.ErrNoRows {
		return r, false, nil
	}
	r.Updated = time.UnixMilli(ms)
	return r, err == nil, err
}

// SaveCircularDraft stores a trigger's Circular draft (JSON), in place of the one before.
func (s *Store) SaveCircularDraft(ctx context.Context, trigger, draft string, at time.Time) (err error) {
	defer s.note(&err)
	_, err = s.db.ExecContext(ctx, `INSERT INTO circular_drafts("trigger", draft, updated) VALUES(?, ?, ?)
		ON CONFLICT("trigger") DO UPDATE SET draft = excluded.draft, updated = excluded.updated`, trigger, draft, at.UnixMilli())
	return err
}

// CircularDrafts lists the saved drafts, the one saved last first.
func (s *Store) CircularDrafts(ctx context.Context) (_ []CircularDraftRow, err error) {
	defer s.note(&err)
	rows, err := s.db.QueryContext(ctx, `SELECT "trigger", draft, updated FROM circular_drafts ORDER BY updated DESC, "trigger"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CircularDraftRow
	for rows.Next() {
		var r CircularDraftRow
		var ms int64
		if err := rows.Scan(&r.Trigger, &r.Draft, &ms); err != nil {
			return nil, err
		}
		r.Updated = time.UnixMilli(ms)
		out = append(out, r)
	}
	return out, rows.Err()
}
