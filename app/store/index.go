package store

import (
	"context"
	"database/sql"
	"time"
)

// Full-text indexing of admitted alerts: the writer commits an alert's row
// at once (that is what the acknowledgement waits for) and indexes its search
// text later: once indexBatch alerts wait, inside the next admission
// transaction (no commit of its own), or, when fewer wait, on its own after
// indexDelay. Indexing many at a time costs about half as much per alert
// (FTS5 merges fewer segments). Alerts committed but not yet indexed when the
// process dies are indexed at the next Open (catchUpIndex).
const (
	// indexBatch is how many admitted alerts wait before they are indexed at once.
	indexBatch = 512
	// indexDelay is the longest an admitted alert waits to be searchable.
	indexDelay = 500 * time.Millisecond
)

// insertFTS indexes one archived alert's search text, replacing what was
// indexed under its id before (a back-fill, or two processes catching up).
const insertFTS = `INSERT OR REPLACE INTO events_fts(rowid, text) VALUES(?,?)`

// indexDoc is an archived alert's search text waiting to be indexed.
type indexDoc struct {
	id   int64
	text string
}

// queueIndex adds committed alerts to those waiting to be indexed.
func (s *Store) queueIndex(docs []indexDoc) {
	s.indexMu.Lock()
	s.indexQueue = append(s.indexQueue, docs...)
	s.indexMu.Unlock()
}

// takeIndexBatch takes the alerts waiting to be indexed if there are at
// least indexBatch of them.
func (s *Store) takeIndexBatch() []indexDoc {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	if len(s.indexQueue) < indexBatch {
		return nil
	}
	docs := s.indexQueue
	s.indexQueue = nil
	return docs
}

// indexPending is how many committed alerts wait to be indexed.
func (s *Store) indexPending() int {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	return len(s.indexQueue)
}

// flushIndex indexes every alert waiting, in one transaction; on failure
// they stay queued for the next try.
func (s *Store) flushIndex() {
	s.indexWrite.Lock()
	defer s.indexWrite.Unlock()
	s.indexMu.Lock()
	docs := s.indexQueue
	s.indexQueue = nil
	s.indexMu.Unlock()
	if len(docs) == 0 {
		return
	}
	if err := s.index(context.Background(), docs); err != nil {
		s.note(&err)
		s.log.Warn("Could not index archived alerts for search; will try again", "alerts", len(docs), "err", err)
		s.indexMu.Lock()
		s.indexQueue = append(docs, s.indexQueue...)
		s.indexMu.Unlock()
	}
}

// index writes docs to the full-text index in one transaction.
func (s *Store) index(ctx context.Context, docs []indexDoc) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.indexInTx(ctx, tx, docs, false); err != nil {
		return err
	}
	return tx.Commit()
}

// indexInTx writes docs to the full-text index inside tx; with savepoint,
// a failure undoes only what it wrote, and the rest of tx stands.
func (s *Store) indexInTx(ctx context.Context, tx *sql.Tx, docs []indexDoc, savepoint bool) (err error) {
	if savepoint {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT fts`); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				tx.ExecContext(ctx, `ROLLBACK TO fts`)
			}
			tx.ExecContext(ctx, `RELEASE fts`)
		}()
	}
	var ins *sql.Stmt
	if s.admit.fts != nil {
		ins = tx.StmtContext(ctx, s.admit.fts)
	} else { // during Open, before the statements are prepared
		if ins, err = tx.PrepareContext(ctx, insertFTS); err != nil {
			return err
		}
		defer ins.Close()
	}
	for _, d := range docs {
		if _, err := ins.ExecContext(ctx, d.id, d.text); err != nil {
			return err
		}
	}
	return nil
}

// catchUpIndex indexes the archived alerts newer than the newest one
// indexed: those committed by a process that died before it indexed them.
// Their search text is computed again from their raw bytes.
func (s *Store) catchUpIndex(ctx context.Context, conn *sql.Conn) error {
	var newest sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT rowid FROM events_fts ORDER BY rowid DESC LIMIT 1`).Scan(&newest); err != nil && err != sql.ErrNoRows {
		return err
	}
	for {
		batch, err := readBackfillBatch(ctx, conn, `e.id > ?`, newest.Int64)
		if err != nil || len(batch) == 0 {
			return err
		}
		summarise(batch, false)
		docs := make([]indexDoc, len(batch))
		for i, r := range batch {
			docs[i] = indexDoc{r.id, searchText(r.key, r.sum)}
		}
		if err := s.index(ctx, docs); err != nil {
			return err
		}
		newest.Int64 = batch[len(batch)-1].id
		s.log.Info("Indexed archived alerts for search", "alerts", len(batch))
	}
}

// indexBeforeSearch indexes the alerts waiting, if q searches the index, so
// that a search finds every alert this process has committed.
func (s *Store) indexBeforeSearch(q EventQuery) {
	if _, ok := ftsQuery(q.Text); ok {
		s.flushIndex()
	}
}
