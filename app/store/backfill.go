package store

import (
	"context"
	"database/sql"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
)

// backfillBatch is how many rows one back-fill transaction re-summarises.
const backfillBatch = 256

// backfillLogEvery is how often the back-fill logs its progress.
const backfillLogEvery = 5 * time.Second

// backfillRow is one archived alert to re-summarise.
type backfillRow struct {
	id          int64
	key, format string
	topic, role string
	raw         []byte
	sum         alert.Summary
	sky         []byte // the compact sky map, when summarise decoded one
}

// backfill re-summarises, from their raw bytes, the archived alerts whose
// summary_version is older than describe.Version (all of them after
// migration 3), a batch per transaction in id order. It is resumable: a
// stopped back-fill leaves the rows it did not reach at their old version,
// and the next Open takes them up.
func (s *Store) backfill(ctx context.Context, conn *sql.Conn) error {
	var todo int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE summary_version < ?`, describe.Version).Scan(&todo); err != nil {
		return err
	}
	if todo == 0 {
		return nil
	}
	s.log.Info("Summarising archived events from their raw bytes", "events", todo, "summary_version", describe.Version)
	start, logged := time.Now(), time.Now()
	var done, after int64
	for {
		batch, err := readBackfillBatch(ctx, conn, `e.id > ? AND e.summary_version < ?`, after, describe.Version)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		summarise(batch, true)
		if err := writeBackfillBatch(ctx, conn, batch); err != nil {
			return err
		}
		after = batch[len(batch)-1].id
		done += int64(len(batch))
		if time.Since(logged) >= backfillLogEvery {
			logged = time.Now()
			s.log.Info("Summarising archived events", "done", done, "of", todo, "per_second", int(float64(done)/time.Since(start).Seconds()))
		}
	}
	s.log.Info("Archived events summarised", "events", done, "seconds", time.Since(start).Round(time.Millisecond).Seconds())
	return nil
}

// readBackfillBatch reads, in id order, the next backfillBatch rows that
// cond selects, with their raw bytes.
func readBackfillBatch(ctx context.Context, conn *sql.Conn, cond string, args ...any) ([]backfillRow, error) {
	rows, err := conn.QueryContext(ctx, `SELECT e.id, e.ivorn, e.format, e.topic, e.role, r.raw
		FROM events e LEFT JOIN event_raw r ON r.id = e.id
		WHERE `+cond+` ORDER BY e.id LIMIT ?`, append(args, backfillBatch)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []backfillRow
	for rows.Next() {
		var r backfillRow
		if err := rows.Scan(&r.id, &r.key, &r.format, &r.topic, &r.role, &r.raw); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// summarise computes the batch's summaries on every core: sky maps make
// some alerts a thousand times slower than others. With maps, a JSON
// alert's embedded sky map is decoded (once) for its summary and compact
// form; without, it is not decoded at all.
func summarise(batch []backfillRow, maps bool) {
	next := make(chan *backfillRow)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				if maps {
					r.sum, r.sky = describe.RawWithMap(alert.Format(r.format), r.topic, r.raw)
				} else {
					r.sum = summaryOnly(r.format, r.topic, r.raw)
				}
				if r.sum.Role == "" {
					r.sum.Role = r.role
				}
			}
		}()
	}
	for i := range batch {
		next <- &batch[i]
	}
	close(next)
	wg.Wait()
}

// writeBackfillBatch stores a batch's summaries and search text in one transaction.
func writeBackfillBatch(ctx context.Context, conn *sql.Conn, batch []backfillRow) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	upd, err := tx.PrepareContext(ctx, `UPDATE events SET (`+summaryColumns+`) = (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) WHERE id = ?`)
	if err != nil {
		return err
	}
	defer upd.Close()
	note, err := tx.PrepareContext(ctx, `UPDATE events SET note = ?, summary_version = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer note.Close()
	ins, err := tx.PrepareContext(ctx, insertFTS)
	if err != nil {
		return err
	}
	defer ins.Close()
	sky, err := tx.PrepareContext(ctx, insertSkymap)
	if err != nil {
		return err
	}
	defer sky.Close()
	for _, r := range batch {
		if r.format != string(alert.FormatJSON) && strings.HasPrefix(r.sum.Note, describe.NoteUnparsableVOEvent) {
			// Keep what the older schema knew of it (position, author);
			// only say why there is no more.
			if _, err := note.ExecContext(ctx, r.sum.Note, describe.Version, r.id); err != nil {
				return err
			}
		} else if _, err := upd.ExecContext(ctx, append(summaryValues(r.sum), r.id)...); err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, r.id, searchText(r.key, r.sum)); err != nil {
			return err
		}
		if r.sky != nil {
			if _, err := sky.ExecContext(ctx, r.id, r.sky); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}
