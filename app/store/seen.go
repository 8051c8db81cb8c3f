package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
)

// Admit records r in the seen-list and the archive if its IVORN is new, in
// one transaction shared with other concurrent admissions; see seen.Store.
//
// Once the archive is known to be damaged (Health), every admission fails
// with an error that wraps seen.ErrArchiveDamaged, without a query: what is
// acknowledged must be kept, and a damaged file may lose it.
func (s *Store) Admit(ctx context.Context, r seen.Record) (seen.Verdict, seen.Entry, error) {
	if err := s.Damaged(); err != nil {
		return 0, seen.Entry{}, err
	}
	req := &admitReq{ctx: ctx, rec: r, args: eventArgs(r), text: searchText(r.IVORN, r.Summary), reply: make(chan admitResult, 1)}
	select {
	case s.admits <- req:
	case <-s.stop:
		return 0, seen.Entry{}, sql.ErrConnDone
	case <-ctx.Done():
		return 0, seen.Entry{}, ctx.Err()
	}
	// Once queued, wait for the answer even if ctx ends: the writer always
	// answers, and the verdict must match what was committed.
	res := <-req.reply
	return res.verdict, res.entry, res.err
}

// Lookup returns the seen-list entry for an IVORN.
func (s *Store) Lookup(ctx context.Context, ivorn string) (_ seen.Entry, _ bool, err error) {
	defer s.note(&err)
	return lookup(ctx, s.db, ivorn)
}

// Prune removes seen-list entries first seen before t (the archive stays).
func (s *Store) Prune(ctx context.Context, before time.Time) (_ int64, err error) {
	defer s.note(&err)
	res, err := s.db.ExecContext(ctx, `DELETE FROM seen WHERE first_seen < ?`, before.UnixMilli())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	s.seenCount.Add(-n)
	return n, err
}

// SeenCount is the number of entries in the seen-list. It counts them once
// and then follows this process's admissions and prunes, so that a window
// that shows it every second costs no scan of a million entries.
func (s *Store) SeenCount(ctx context.Context) (_ int64, err error) {
	defer s.note(&err)
	s.seenCountOnce.Lock()
	defer s.seenCountOnce.Unlock()
	if !s.seenCounted {
		var n int64
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM seen`).Scan(&n); err != nil {
			return 0, err
		}
		// Admissions and prunes before the scan moved seenCount already
		// and the scan saw them too, so the scan replaces it (one that
		// commits during the scan may be counted twice: this is a figure
		// for people, not for dedup).
		s.seenCount.Store(n)
		s.seenCounted = true
	}
	return s.seenCount.Load(), nil
}

// SearchSeen lists up to limit seen-list entries whose IVORN contains substr,
// newest first.
func (s *Store) SearchSeen(ctx context.Context, substr string, limit int) (_ []seen.Entry, err error) {
	defer s.note(&err)
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT ivorn, sha256, first_seen, source FROM seen
		WHERE instr(ivorn, ?) > 0 ORDER BY first_seen DESC LIMIT ?`, substr, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []seen.Entry
	for rows.Next() {
		var e seen.Entry
		var digest []byte
		var first int64
		if err := rows.Scan(&e.IVORN, &digest, &first, &e.Source); err != nil {
			return nil, err
		}
		copy(e.Digest[:], digest)
		e.FirstSeen = time.UnixMilli(first)
		out = append(out, e)
	}
	return out, rows.Err()
}
