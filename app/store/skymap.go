package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
)

// insertSkymap stores an archived alert's sky map in its compact form,
// replacing what a back-fill of the same alert wrote before.
const insertSkymap = `INSERT OR REPLACE INTO event_skymap(id, map) VALUES(?,?)`

// EventSkymap returns the compact form of an archived alert's sky map
// (skymap.ReadCompact reads it); found is false when the archive holds none
// for it: an alert without a map, or one archived before migration 7 whose
// back-fill has not run (a read-only store).
func (s *Store) EventSkymap(ctx context.Context, id int64) (compact []byte, found bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT map FROM event_skymap WHERE id = ?`, id).Scan(&compact)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return compact, err == nil, err
}

// backfillSkymaps gives the archived alerts that have a sky map summary
// but no compact map (archived before migration 7, their summary already
// current) their compact map, decoded once from their raw bytes, a batch
// per transaction in id order. Like backfill it is resumable: what it did
// not reach keeps no compact map, and the next Open takes it up.
func (s *Store) backfillSkymaps(ctx context.Context, conn *sql.Conn) error {
	const todoCond = `e.skymap IS NOT NULL AND NOT EXISTS (SELECT 1 FROM event_skymap m WHERE m.id = e.id)`
	var todo int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM events e INDEXED BY events_with_skymap WHERE `+todoCond).Scan(&todo); err != nil {
		return err
	}
	if todo == 0 {
		return nil
	}
	s.log.Info("Storing the sky maps of archived alerts in their compact form", "alerts", todo)
	start, logged := time.Now(), time.Now()
	var done, failed, after int64
	for {
		batch, err := readBackfillBatch(ctx, conn, `e.id > ? AND `+todoCond, after)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		summarise(batch, true)
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, insertSkymap)
		if err != nil {
			tx.Rollback()
			return err
		}
		for _, r := range batch {
			if r.sky == nil {
				failed++
				continue
			}
			if _, err := ins.ExecContext(ctx, r.id, r.sky); err != nil {
				ins.Close()
				tx.Rollback()
				return err
			}
		}
		ins.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
		after = batch[len(batch)-1].id
		done += int64(len(batch))
		if time.Since(logged) >= backfillLogEvery {
			logged = time.Now()
			s.log.Info("Storing sky maps", "done", done, "of", todo, "per_second", int(float64(done)/time.Since(start).Seconds()))
		}
	}
	if failed > 0 {
		s.log.Warn("Some archived sky maps no longer decode; they are decoded from the alert when shown", "alerts", failed)
	}
	s.log.Info("Archived sky maps stored", "alerts", done-failed, "seconds", time.Since(start).Round(time.Millisecond).Seconds())
	return nil
}

// summaryOnly is the summary of an archived alert without its sky map's
// decoding, for the search text (which holds nothing of the map).
func summaryOnly(format, topic string, raw []byte) alert.Summary {
	return describe.Text(alert.Format(format), topic, raw)
}
