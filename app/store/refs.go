package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
)

// insertRefSQL records one Citations/EventIVORN of an archived VOEvent.
const insertRefSQL = `INSERT INTO refs(event_id, ivorn, cite_type) VALUES(?,?,?)`

// refsBackfillKey is the settings key that holds the id below which the
// alerts archived before migration 12 still need their refs (0: done).
const refsBackfillKey = "refs_backfill_below"

// insertRefs writes an archived VOEvent's citations; empty ones are left
// out, as voeventdb does.
func insertRefs(ctx context.Context, st *sql.Stmt, id int64, cites []voevent.Citation) error {
	for _, c := range cites {
		if c.IVORN == "" {
			continue
		}
		if _, err := st.ExecContext(ctx, id, c.IVORN, c.Cite); err != nil {
			return err
		}
	}
	return nil
}

// startRefsBackfill records, in the background, the citations of the
// VOEvents archived before migration 12, newest first, a batch per
// transaction; the key refsBackfillKey keeps its place, so that a stopped
// back-fill resumes at the next Open. It runs beside the writer (each
// batch a short transaction of its own), not in Open's path: a million
// alerts take minutes to parse again.
func (s *Store) startRefsBackfill() {
	var below int64
	err := s.db.QueryRow(`SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?`, refsBackfillKey).Scan(&below)
	if err != nil || below <= 1 {
		return
	}
	s.writerWG.Add(1)
	go func() {
		defer s.writerWG.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-s.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		if err := s.backfillRefs(ctx, below); err != nil && ctx.Err() == nil {
			s.log.Warn("Recording the citations of archived VOEvents stopped; the next start resumes it", "err", err)
		}
	}()
}

// backfillRefs records the citations of the VOEvents with ids below below.
func (s *Store) backfillRefs(ctx context.Context, below int64) error {
	start, logged := time.Now(), time.Now()
	done := 0
	s.log.Info("Recording the citations of archived VOEvents", "below_id", below)
	for below > 1 {
		type row struct {
			id  int64
			raw []byte
		}
		rows, err := s.db.QueryContext(ctx, `SELECT e.id, CASE WHEN instr(r.raw, 'EventIVORN') > 0 THEN r.raw END
			FROM events e LEFT JOIN event_raw r ON r.id = e.id WHERE e.id < ? ORDER BY e.id DESC LIMIT ?`, below, backfillBatch)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.raw); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		next := int64(0)
		if len(batch) > 0 {
			next = batch[len(batch)-1].id
		}
		cites := make([][]voevent.Citation, len(batch))
		for i, r := range batch {
			if r.raw == nil {
				continue
			}
			if ev, err := voevent.Parse(r.raw); err == nil {
				cites[i] = voevent.ReadFields(ev).Citations
				ev.Release()
			}
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, insertRefSQL)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i, r := range batch {
			// Never twice: an alert whose refs a stopped run wrote is
			// past the key only once that run's transaction committed.
			if err := insertRefs(ctx, ins, r.id, cites[i]); err != nil {
				tx.Rollback()
				return err
			}
		}
		ins.Close()
		if _, err := tx.ExecContext(ctx, `UPDATE settings SET value = ? WHERE key = ?`, strconv.FormatInt(next, 10), refsBackfillKey); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		below = next
		done += len(batch)
		if time.Since(logged) >= backfillLogEvery {
			logged = time.Now()
			s.log.Info("Recording the citations of archived VOEvents", "done", done, "below_id", below)
		}
	}
	s.log.Info("Citations of archived VOEvents recorded", "events", done, "seconds", time.Since(start).Round(time.Millisecond).Seconds())
	return nil
}

// RefsBackfillDone reports whether every archived VOEvent's citations are
// recorded (the back-fill after migration 12 has finished).
func (s *Store) RefsBackfillDone(ctx context.Context) (bool, error) {
	var below int64
	err := s.db.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?`, refsBackfillKey).Scan(&below)
	if err == sql.ErrNoRows {
		return true, nil
	}
	return below <= 1, err
}
