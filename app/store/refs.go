package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
)

// insertRefSQL records one Citations/EventIVORN of an archived VOEvent.
const insertRefSQL = `INSERT INTO refs(event_id, ivorn, cite_type) VALUES(?,?,?)`

// refsBackfillKey is the settings key that holds the id below which the
// alerts archived before migration 12 still need their refs (0: done).
const refsBackfillKey = "refs_backfill_below"

// insertCoordSQL records an archived VOEvent's position as voeventdb loads
// it, with the time authored of its events row (written before it);
// arguments: id, ra, dec, err, id.
const insertCoordSQL = `INSERT OR REPLACE INTO vdb_coords(event_id, ra, dec, err, authored) SELECT ?, ?, ?, ?, ` + authoredExpr + ` FROM events WHERE id = ?`

// vdbAcceptable are the coordinate systems voeventdb loads positions from
// (FK5 and ICRS taken as one, geocentric, topocentric and barycentric too).
var vdbAcceptable = map[string]bool{"UTC-FK5-GEO": true, "UTC-FK5-TOPO": true, "UTC-ICRS-GEO": true, "UTC-ICRS-TOPO": true,
	"TDB-FK5-BARY": true, "TDB-ICRS-BARY": true}

// vdbCoord is a VOEvent's position as voeventdb keeps it: the first
// AstroCoords' Position2D in an acceptable system, except the dummy
// positions of a GCN notice whose Coords_String says
// "unavailable/inappropriate" and of the DC3 broker's tests.
func vdbCoord(ivorn string, f *voevent.Fields) (ra, dec, errDeg float64, ok bool) {
	if f == nil || !f.HasPosition || !vdbAcceptable[f.CoordSystem] {
		return 0, 0, 0, false
	}
	stream := vdbStream(ivorn)
	if stream == "com.dc3/dc3.broker" {
		return 0, 0, 0, false
	}
	if authority, _, _ := strings.Cut(stream, "/"); authority == "nasa.gsfc.gcn" {
		for _, p := range f.Params {
			if p.Group == "" && p.Name == "Coords_String" && p.Value == "unavailable/inappropriate" {
				return 0, 0, 0, false
			}
		}
	}
	return f.RA, f.Dec, f.ErrorRadius, true
}

// vdbStream is an IVORN's stream as voeventdb defines it (streamExpr).
func vdbStream(ivorn string) string {
	s, _, _ := strings.Cut(ivorn, "#")
	r := []rune(s)
	if len(r) <= 6 {
		return ""
	}
	return string(r[6:])
}

// vdbStmts are the statements that record a VOEvent for the voeventdb
// API, bound to a transaction when first needed.
type vdbStmts struct{ ref, coord *sql.Stmt }

// insert records an archived VOEvent's citations (empty ones left out, as
// voeventdb does) and position; f nil (another format) records nothing.
func (v *vdbStmts) insert(ctx context.Context, tx *sql.Tx, a *admitStmts, id int64, ivorn string, f *voevent.Fields) error {
	if f == nil {
		return nil
	}
	for _, c := range f.Citations {
		if c.IVORN == "" {
			continue
		}
		if v.ref == nil {
			v.ref = tx.StmtContext(ctx, a.ref)
		}
		if _, err := v.ref.ExecContext(ctx, id, c.IVORN, c.Cite); err != nil {
			return err
		}
	}
	if ra, dec, e, ok := vdbCoord(ivorn, f); ok {
		if v.coord == nil {
			v.coord = tx.StmtContext(ctx, a.coord)
		}
		if _, err := v.coord.ExecContext(ctx, id, ra, dec, e, id); err != nil {
			return err
		}
	}
	return nil
}

// startRefsBackfill records, in the background, the citations and positions of the
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
			id    int64
			ivorn string
			raw   []byte
		}
		rows, err := s.db.QueryContext(ctx, `SELECT e.id, e.ivorn, CASE WHEN e.format = 'voevent' THEN r.raw END
			FROM events e LEFT JOIN event_raw r ON r.id = e.id WHERE e.id < ? ORDER BY e.id DESC LIMIT ?`, below, backfillBatch)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.ivorn, &r.raw); err != nil {
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
		fields := make([]*voevent.Fields, len(batch))
		for i, r := range batch {
			if r.raw == nil {
				continue
			}
			if ev, err := voevent.Parse(r.raw); err == nil {
				f := voevent.ReadFields(ev)
				fields[i] = &f
				ev.Release()
			}
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var vdb vdbStmts
		for i, r := range batch {
			// Never twice: the key moves past an alert in the
			// transaction that records it.
			if err := vdb.insert(ctx, tx, &s.admit, r.id, r.ivorn, fields[i]); err != nil {
				tx.Rollback()
				return err
			}
		}
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
