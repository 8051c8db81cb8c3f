package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// Each trigger's state across its alerts (design §10) lives in the table
// triggers, one row per trigger key: the admission that archives an alert
// adds it to its trigger's state in the same transaction (applyTrigger),
// and Open builds the state of the alerts archived before
// (rebuildTriggers), as FillSynthetic does after writing rows straight
// through SQL. The row's state column holds the whole alert.State as
// JSON; the other columns repeat what queries select by.

// What the notifier last said of a trigger (TriggerRow.Notified).
const (
	// NotifiedLive: a notification said the trigger is live.
	NotifiedLive = "live"
	// NotifiedRetracted: a notification said the trigger is retracted.
	NotifiedRetracted = "retracted"
)

// TriggerRow is one trigger's state as the archive keeps it.
type TriggerRow struct {
	alert.State
	// Notified is what a notification last said of it: "", NotifiedLive or
	// NotifiedRetracted.
	Notified string
}

// TriggerQuery selects triggers. Zero fields do not filter.
type TriggerQuery struct {
	// Since keeps the triggers with an alert received at or after it.
	Since time.Time
	// Test includes test and mock triggers (left out otherwise).
	Test bool
	// Limit bounds how many (0: all).
	Limit int
}

// triggersVersion numbers how the rows of triggers are built; Open
// rebuilds them from the archive when the stored number differs.
const triggersVersion = 1

// triggersStamp is what triggersVersionKey holds once the triggers are
// built: triggersVersion and the describe.Version of the summaries read.
func triggersStamp() string { return fmt.Sprintf("%d.%d", triggersVersion, describe.Version) }

// triggersVersionKey is the settings key that stores triggersVersion.
const triggersVersionKey = "store.triggers_version"

const (
	getTriggerSQL = `SELECT state FROM triggers WHERE "trigger" = ?`
	putTriggerSQL = `INSERT INTO triggers("trigger", mission, first_received, last_received, alerts, retracted, test, latest_id,
		far, distmean, diststd, area90, ra, dec, err, gw, state) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT("trigger") DO UPDATE SET mission = excluded.mission, first_received = excluded.first_received,
		last_received = excluded.last_received, alerts = excluded.alerts, retracted = excluded.retracted, test = excluded.test,
		latest_id = excluded.latest_id, far = excluded.far, distmean = excluded.distmean, diststd = excluded.diststd,
		area90 = excluded.area90, ra = excluded.ra, dec = excluded.dec, err = excluded.err, gw = excluded.gw, state = excluded.state`
)

// triggerValues are st's values for putTriggerSQL.
func triggerValues(st alert.State) ([]any, error) {
	state, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	alerts, err := json.Marshal(st.Alerts())
	if err != nil {
		return nil, err
	}
	var far, distMean, distStd, area90, ra, dec, errDeg, gw any
	if st.FAR > 0 {
		far = st.FAR
	}
	if m := st.Skymap; m != nil {
		if m.DistMean != nil && m.DistStd != nil {
			distMean, distStd = *m.DistMean, *m.DistStd
		}
		if m.Area90 > 0 {
			area90 = m.Area90
		}
	}
	if st.HasPosition {
		ra, dec = st.RA, st.Dec
		if st.ErrorDeg > 0 {
			errDeg = st.ErrorDeg
		}
	}
	if !st.GW.Empty() {
		b, err := json.Marshal(st.GW)
		if err != nil {
			return nil, err
		}
		gw = string(b)
	}
	return []any{st.Trigger, st.Mission, st.FirstReceived.UnixMilli(), st.LastReceived.UnixMilli(), string(alerts), st.Retracted, st.Test, st.LatestID,
		far, distMean, distStd, area90, ra, dec, errDeg, gw, string(state)}, nil
}

// triggerUpdate is one archived alert to add to its trigger's state.
type triggerUpdate struct {
	id       int64
	received time.Time
	sum      alert.Summary
	stream   string
}

// triggerUpdateOf is what rec adds to its trigger, ok false for an alert
// with no trigger (or a heartbeat).
func triggerUpdateOf(rec seen.Record) (triggerUpdate, bool) {
	if rec.Summary.Trigger == "" || rec.Summary.IsHeartbeat() {
		return triggerUpdate{}, false
	}
	sum := rec.Summary
	if sum.Format == "" {
		sum.Format = rec.Format
	}
	if sum.Key == "" {
		sum.Key = rec.IVORN
	}
	received := time.UnixMilli(rec.Received.UnixMilli()) // as the archive row keeps it
	return triggerUpdate{received: received, sum: sum, stream: alert.Stream(sum, rec.Kafka.Topic, rec.Source)}, true
}

// applyTrigger adds one archived alert to its trigger's state, through
// get and put (getTriggerSQL, putTriggerSQL) of the caller's transaction.
func applyTrigger(ctx context.Context, get, put *sql.Stmt, u triggerUpdate) error {
	var st alert.State
	var state string
	switch err := get.QueryRowContext(ctx, u.sum.Trigger).Scan(&state); {
	case err == sql.ErrNoRows:
	case err != nil:
		return err
	default:
		if err := json.Unmarshal([]byte(state), &st); err != nil {
			st = alert.State{} // unreadable: start again from this alert
		}
	}
	st.Add(u.id, u.received, u.sum, u.stream)
	args, err := triggerValues(st)
	if err != nil {
		return err
	}
	_, err = put.ExecContext(ctx, args...)
	return err
}

// scanTrigger reads a row of `state, notified`.
func scanTrigger(sc interface{ Scan(...any) error }) (TriggerRow, error) {
	var r TriggerRow
	var state string
	if err := sc.Scan(&state, &r.Notified); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(state), &r.State); err != nil {
		return r, fmt.Errorf("trigger state unreadable: %w", err)
	}
	return r, nil
}

// Trigger returns one trigger's state, ErrNotFound if the archive has no alert of it.
func (s *Store) Trigger(ctx context.Context, key string) (TriggerRow, error) {
	r, err := scanTrigger(s.db.QueryRowContext(ctx, `SELECT state, notified FROM triggers WHERE "trigger" = ?`, key))
	if err == sql.ErrNoRows {
		return r, ErrNotFound
	}
	return r, err
}

// Triggers returns the triggers q selects, the one with the latest alert first.
func (s *Store) Triggers(ctx context.Context, q TriggerQuery) ([]TriggerRow, error) {
	sqlq := `SELECT state, notified FROM triggers`
	var conds []string
	var args []any
	if !q.Since.IsZero() {
		conds, args = append(conds, "last_received >= ?"), append(args, q.Since.UnixMilli())
	}
	if !q.Test {
		conds = append(conds, "test = 0")
	}
	for i, c := range conds {
		if i == 0 {
			sqlq += " WHERE " + c
		} else {
			sqlq += " AND " + c
		}
	}
	sqlq += ` ORDER BY last_received DESC, "trigger"`
	if q.Limit > 0 {
		sqlq += " LIMIT " + strconv.Itoa(q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TriggerRow
	for rows.Next() {
		r, err := scanTrigger(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetTriggerNotified records what a notification said of a trigger
// (NotifiedLive, NotifiedRetracted), so that a restart does not say it again.
func (s *Store) SetTriggerNotified(ctx context.Context, key, notified string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE triggers SET notified = ? WHERE "trigger" = ?`, notified, key)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// rebuildTriggers builds the state of every trigger from the archive, in
// id order, when forced or when the stored triggersStamp differs (the first Open after
// migration 7): LVK alerts are read again from their raw bytes for what
// rows do not hold (classification, properties, significance). What was
// notified of each trigger is kept.
func (s *Store) rebuildTriggers(ctx context.Context, conn *sql.Conn, force bool) error {
	var v string
	err := conn.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, triggersVersionKey).Scan(&v)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if v == triggersStamp() && !force {
		return nil
	}
	start, logged := time.Now(), time.Now()
	states := map[string]*alert.State{}
	done := 0
	var order []string
	var after int64
	for {
		n, err := s.readTriggerBatch(ctx, conn, after, func(id int64, u triggerUpdate) {
			st := states[u.sum.Trigger]
			if st == nil {
				st = &alert.State{}
				states[u.sum.Trigger] = st
				order = append(order, u.sum.Trigger)
			}
			st.Add(id, u.received, u.sum, u.stream)
			after = id
		})
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		// About a minute for a million alerts: say that it is under way.
		if done += n; time.Since(logged) >= backfillLogEvery {
			logged = time.Now()
			s.log.Info("Building trigger states from the archive", "alerts", done, "triggers", len(order))
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	put, err := tx.PrepareContext(ctx, putTriggerSQL)
	if err != nil {
		return err
	}
	defer put.Close()
	for _, key := range order {
		args, err := triggerValues(*states[key])
		if err != nil {
			return err
		}
		if _, err := put.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
		triggersVersionKey, triggersStamp()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if len(order) > 0 {
		s.log.Info("Trigger states built from the archive", "triggers", len(order), "seconds", time.Since(start).Round(time.Millisecond).Seconds())
	}
	return nil
}

// readTriggerBatch reads up to backfillBatch archived alerts with a
// trigger and an id above after, in id order, and calls f for each; it
// returns how many rows it read.
func (s *Store) readTriggerBatch(ctx context.Context, conn *sql.Conn, after int64, f func(int64, triggerUpdate)) (int, error) {
	rows, err := conn.QueryContext(ctx, `SELECT `+eventColumns+`, CASE WHEN mission = 'LVK' THEN (SELECT raw FROM event_raw WHERE event_raw.id = events.id) END
		FROM events WHERE id > ? AND "trigger" != '' AND alert_type != 'Heartbeat' ORDER BY id LIMIT ?`, after, backfillBatch)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var raw []byte
		r, err := scanEvent(scanRowsTail{rows, &raw})
		if err != nil {
			return n, err
		}
		n++
		sum := r.Summary()
		if raw != nil {
			sum.GW = gwOf(r, raw)
		}
		f(r.ID, triggerUpdate{received: r.Received, sum: sum, stream: alert.Stream(sum, r.Topic, r.Source)})
	}
	return n, rows.Err()
}

// gwOf reads an archived LVK alert's GW fields from its raw bytes.
func gwOf(r EventRow, raw []byte) *alert.GW {
	if r.Format == string(alert.FormatJSON) {
		return notice.Summarize(r.Topic, raw).GW
	}
	ev, err := voevent.Parse(raw)
	if err != nil {
		return nil
	}
	return describe.VOEvent(ev, false).GW
}

// scanRowsTail scans a row that has one more column than scanEvent reads.
type scanRowsTail struct {
	rows *sql.Rows
	tail *[]byte
}

func (s scanRowsTail) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.tail)...) }

// Summary is the part of the one event model that the row holds.
func (r EventRow) Summary() alert.Summary {
	return alert.Summary{
		Format: alert.Format(r.Format), Key: r.IVORN, Role: r.Role, Author: r.Author, Description: r.Description,
		Mission: r.Mission, Trigger: r.Trigger, AlertType: r.AlertType, Retraction: r.Retraction, Test: r.Test,
		EventTime: r.EventTime, HasPosition: r.HasPosition, RA: r.RA, Dec: r.Dec, ErrorDeg: r.ErrorRadius,
		FAR: r.FAR, Significance: r.Significance, HasSkymap: r.Skymap != nil, Skymap: r.Skymap, Note: r.Note,
	}
}
