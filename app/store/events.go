package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
)

// EventRow is an archived event's summary, without its raw bytes.
type EventRow struct {
	ID          int64
	IVORN       string
	Role        string
	Author      string
	Date        string
	Source      string
	Received    time.Time
	HasPosition bool
	RA, Dec     float64
	ErrorRadius float64
	ParamsCount int
	Description string
	// Format is the raw bytes' format: "voevent" or "json".
	Format string
	// Topic, Partition, Offset and KafkaTime locate an event read from Kafka;
	// Topic is "" for the others.
	Topic     string
	Partition int32
	Offset    int64
	KafkaTime time.Time

	// The one event model's summary (design §8); see alert.Summary.
	// EventTime is zero when unknown; ErrorRadius (above) is in degrees.
	EventTime    time.Time
	Trigger      string
	AlertType    string
	Mission      string
	Retraction   bool
	Test         bool
	FAR          float64
	Significance string
	Note         string
	// Skymap is the summary of the alert's embedded sky map, nil for none.
	Skymap *alert.SkymapSummary
	// SummaryVersion is the describe.Version that wrote the summary (0: none yet).
	SummaryVersion int
	// TriggerRetracted is true for every alert of a retracted trigger,
	// including one that arrived after the retraction (design §10).
	TriggerRetracted bool
}

// EventQuery selects archived events. Zero fields do not filter.
type EventQuery struct {
	// Text is searched for in the full-text index of both formats (key,
	// ids, authors, param names and values, mission, trigger), each word a
	// prefix; text shorter than three characters, or without a letter or
	// digit, is a substring of the key (IVORN) instead.
	Text string
	// Trigger selects the alerts of one trigger.
	Trigger string
	Role    string
	// Source is a substring of where the event came from: its peer,
	// subscription or Kafka topic, in any case (ASCII letters).
	Source string
	// From and To bound the time received (inclusive, exclusive).
	From, To time.Time
	// BeforeID pages backwards (rows with a smaller id); AfterID forwards.
	BeforeID, AfterID int64
	// Limit bounds the rows returned (default 100).
	Limit int

	// AlertType selects one alert type (Preliminary, Retraction, …).
	AlertType string
	// Heartbeats includes liveness records (alert.HeartbeatType), which are
	// left out unless this is set, AlertType names them, or Source contains
	// "heartbeat" (gcn.heartbeat): they are no alerts (design §10).
	Heartbeats bool
	// HideTest leaves out test and mock alerts.
	HideTest bool
	// Cone, when set, selects the alerts positioned inside it.
	Cone *Cone
	// Sort is the order (SortReceived, SortEventTime, …), newest or
	// largest first unless Asc; After continues a keyset page.
	Sort  string
	Asc   bool
	After Cursor

	// counting is set by CountEvents.
	counting bool
	// sourcePlan is how Source is selected, set by Store.planSource.
	sourcePlan int
}

// countFrom is the table a count reads: for a search that only hides tests
// (and bounds ids), the index events_id_test, which holds each id's test
// flag, so that the count looks up each hit there rather than in its row
// (30 ms for 50,000 hits of a million alerts, not 100–200).
func (q EventQuery) countFrom() string {
	if _, fts := ftsQuery(q.Text); fts && q.Trigger == "" && q.Role == "" && q.Source == "" && q.From.IsZero() && q.To.IsZero() &&
		q.AlertType == "" && q.Cone == nil {
		return " FROM events INDEXED BY events_id_test"
	}
	return " FROM events"
}

// countExpr is the SQL expression that counts what q selects, and its
// arguments; q must be planned. A count of every alert, or of those that
// are no test, adds two ranges of an index that begins with the alert
// type (events_test, events_by_type), one each side of the heartbeats'
// block: it reads the alerts' index entries and steps over the
// heartbeats', however many (0.1 ms beside a million, not 350–540).
func (q EventQuery) countExpr() (string, []any) {
	where, args := q.where()
	if q.counting && q.Text == "" && q.Trigger == "" && q.Role == "" && q.Source == "" && q.From.IsZero() && q.To.IsZero() &&
		q.AlertType == "" && q.Cone == nil && q.AfterID == 0 && q.BeforeID == 0 && !q.includesHeartbeats() {
		below := strings.Replace(where, noHeartbeats, "alert_type < 'Heartbeat'", 1)
		above := strings.Replace(where, noHeartbeats, "alert_type > 'Heartbeat'", 1)
		return "((SELECT count(*) FROM events" + below + ") + (SELECT count(*) FROM events" + above + "))", append(args, args...)
	}
	return "(SELECT count(*)" + q.countFrom() + where + ")", args
}

// testCond hides tests. The index events_test serves only a count of
// every alert, or of one type: elsewhere, without statistics, SQLite
// would pick it over better plans (a full scan of it and a lookup per
// row: seconds for a million alerts), so the unary + keeps it away.
func (q EventQuery) testCond() string {
	if q.counting && q.Text == "" && q.Trigger == "" && q.Role == "" && q.Source == "" && q.From.IsZero() && q.To.IsZero() &&
		q.Cone == nil && q.AfterID == 0 {
		return "test = 0"
	}
	return "+test = 0"
}

// noHeartbeats leaves out liveness records; its text matches the partial
// index events_alerts exactly, so that a list in id order skips them
// without reading them.
const noHeartbeats = "alert_type != 'Heartbeat'"

// includesHeartbeats reports whether q selects heartbeats too (see
// Heartbeats). Every index a filter reads holds the alert type, so that the
// condition is checked without reading rows: events_alerts for a list in
// id order, events_test and events_by_type for counts (countExpr),
// events_source for a source, events_id_test for a search.
func (q EventQuery) includesHeartbeats() bool {
	return q.Heartbeats || q.AlertType == alert.HeartbeatType || strings.Contains(foldASCII(q.Source), "heartbeat")
}

// where is q's WHERE clause ("" for none) and its arguments.
func (q EventQuery) where() (string, []any) {
	conds, args := q.conds()
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// conds are the SQL conditions that q selects by, to be joined with AND,
// and their arguments: the one place that knows them, for the archive
// list, its counts, and the sky map and rate chart (SkyQuery.Events). A
// Source filter needs Store.planSource first.
func (q EventQuery) conds() ([]string, []any) {
	var conds []string
	var args []any
	if fts, ok := ftsQuery(q.Text); ok {
		conds = append(conds, "id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)")
		args = append(args, fts)
	} else if q.Text != "" {
		// The raw bytes live in event_raw, so even a full scan for a rare
		// substring reads only the summaries.
		conds = append(conds, "instr(ivorn, ?) > 0")
		args = append(args, q.Text)
	}
	if q.Trigger != "" {
		conds = append(conds, `"trigger" = ? AND "trigger" != ''`) // the second term lets SQLite use the partial index
		args = append(args, q.Trigger)
	}
	if q.Source != "" {
		c, a := q.sourceCond()
		conds = append(conds, c)
		args = append(args, a...)
	}
	if q.Role != "" {
		conds = append(conds, "role = ?")
		args = append(args, q.Role)
	}
	if !q.From.IsZero() {
		conds = append(conds, "received_at >= ?")
		args = append(args, q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		conds = append(conds, "received_at < ?")
		args = append(args, q.To.UnixMilli())
	}
	if q.BeforeID > 0 {
		conds = append(conds, "id < ?")
		args = append(args, q.BeforeID)
	}
	if q.AfterID > 0 {
		conds = append(conds, "id > ?")
		args = append(args, q.AfterID)
	}
	if q.AlertType != "" {
		conds = append(conds, "alert_type = ?")
		args = append(args, q.AlertType)
	}
	if !q.includesHeartbeats() && q.Cone == nil { // a heartbeat has no position: no cone holds one
		conds = append(conds, noHeartbeats)
	}
	if q.HideTest {
		conds = append(conds, q.testCond())
	}
	if q.Cone != nil {
		c, a := coneWhere(*q.Cone)
		conds = append(conds, c)
		args = append(args, a...)
	}
	if q.After.Set {
		c, a := keysetWhere(q.Sort, q.Asc, q.After)
		conds = append(conds, c)
		args = append(args, a...)
	}
	return conds, args
}

const eventColumns = `id, ivorn, role, author, event_date, source, received_at, ra, dec, err, params_count, description, format, topic, kafka_partition, kafka_offset, kafka_time,
	event_time, "trigger", alert_type, mission, retraction, test, far, significance, note, skymap, summary_version`

func scanEvent(sc interface{ Scan(...any) error }) (EventRow, error) {
	var r EventRow
	var received int64
	var ra, dec, errRadius sql.NullFloat64
	var part, off, ktime, eventTime sql.NullInt64
	var far sql.NullFloat64
	var sky sql.NullString
	if err := sc.Scan(&r.ID, &r.IVORN, &r.Role, &r.Author, &r.Date, &r.Source, &received, &ra, &dec, &errRadius, &r.ParamsCount, &r.Description,
		&r.Format, &r.Topic, &part, &off, &ktime,
		&eventTime, &r.Trigger, &r.AlertType, &r.Mission, &r.Retraction, &r.Test, &far, &r.Significance, &r.Note, &sky, &r.SummaryVersion); err != nil {
		return r, err
	}
	if eventTime.Valid {
		r.EventTime = time.UnixMilli(eventTime.Int64).UTC()
	}
	r.FAR = far.Float64
	if sky.Valid {
		var m alert.SkymapSummary
		if json.Unmarshal([]byte(sky.String), &m) == nil {
			r.Skymap = &m
		}
	}
	r.Partition, r.Offset = int32(part.Int64), off.Int64
	if ktime.Valid {
		r.KafkaTime = time.UnixMilli(ktime.Int64)
	}
	r.Received = time.UnixMilli(received)
	r.HasPosition = ra.Valid && dec.Valid
	r.RA, r.Dec, r.ErrorRadius = ra.Float64, dec.Float64, errRadius.Float64
	return r, nil
}

// ListEvents returns archived events in q's order, newest first by default
// (keyset paging: q.After, or BeforeID for the default order).
func (s *Store) ListEvents(ctx context.Context, q EventQuery) (_ []EventRow, err error) {
	defer s.note(&err)
	if q.Limit <= 0 {
		q.Limit = 100
	}
	s.indexBeforeSearch(q)
	if err := s.planSource(ctx, &q, true); err != nil {
		return nil, err
	}
	where, args := q.where()
	rows, err := s.db.QueryContext(ctx, `SELECT `+eventColumns+` FROM events`+where+orderBy(q.Sort, q.Asc)+` LIMIT ?`, append(args, q.Limit)...)
	return s.markRetracted(ctx, rows, err)
}

// markRetracted reads every row of a query of eventColumns and marks the
// alerts of retracted triggers (TriggerRetracted), with one look-up in
// triggers for the rows read, not one per row considered.
func (s *Store) markRetracted(ctx context.Context, rows *sql.Rows, err error) ([]EventRow, error) {
	out, err := scanEvents(rows, err)
	if err != nil {
		return nil, err
	}
	return out, s.markRows(ctx, out)
}

// markRows sets TriggerRetracted on the rows whose trigger is retracted.
func (s *Store) markRows(ctx context.Context, rows []EventRow) error {
	var keys []any
	seen := map[string]bool{}
	for _, r := range rows {
		if r.Trigger != "" && !seen[r.Trigger] {
			seen[r.Trigger] = true
			keys = append(keys, r.Trigger)
		}
	}
	retracted := map[string]bool{}
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), 500)]
		keys = keys[len(chunk):]
		q, err := s.db.QueryContext(ctx, `SELECT "trigger" FROM triggers WHERE retracted = 1 AND "trigger" IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, chunk...)
		if err != nil {
			return err
		}
		for q.Next() {
			var k string
			if err := q.Scan(&k); err != nil {
				q.Close()
				return err
			}
			retracted[k] = true
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
	}
	for i := range rows {
		rows[i].TriggerRetracted = retracted[rows[i].Trigger]
	}
	return nil
}

// scanEvents reads every row of a query of eventColumns.
func scanEvents(rows *sql.Rows, err error) ([]EventRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EventRow
	for rows.Next() {
		r, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountEvents counts the archived events that q selects (ignoring Limit
// and the page cursor).
func (s *Store) CountEvents(ctx context.Context, q EventQuery) (_ int64, err error) {
	defer s.note(&err)
	q.After, q.counting = Cursor{}, true
	s.indexBeforeSearch(q)
	if err := s.planSource(ctx, &q, false); err != nil {
		return 0, err
	}
	count, args := q.countExpr()
	var n int64
	err = s.db.QueryRowContext(ctx, `SELECT `+count, args...).Scan(&n)
	return n, err
}

// CountEventsAt counts the archived events that q selects and returns the
// newest archive id at that moment, read in one snapshot: a count to which
// later arrivals (AfterID newest) can be added.
func (s *Store) CountEventsAt(ctx context.Context, q EventQuery) (n, newest int64, err error) {
	defer s.note(&err)
	q.After, q.counting = Cursor{}, true
	s.indexBeforeSearch(q)
	if err := s.planSource(ctx, &q, false); err != nil {
		return 0, 0, err
	}
	count, args := q.countExpr()
	err = s.db.QueryRowContext(ctx, `SELECT `+count+`, (SELECT ifnull(max(id), 0) FROM events)`, args...).Scan(&n, &newest)
	return n, newest, err
}

// GetEvent returns the newest archived event with this IVORN and its raw bytes.
func (s *Store) GetEvent(ctx context.Context, ivorn string) (_ EventRow, _ []byte, err error) {
	defer s.note(&err)
	row := s.db.QueryRowContext(ctx, `SELECT `+eventColumns+`, (SELECT raw FROM event_raw WHERE event_raw.id = events.id) FROM events WHERE ivorn = ? ORDER BY id DESC LIMIT 1`, ivorn)
	var raw []byte
	r, err := scanEvent(scanTail{row, &raw})
	if err == sql.ErrNoRows {
		return r, nil, ErrNotFound
	}
	if err == nil {
		err = s.markOne(ctx, &r)
	}
	return r, raw, err
}

// GetEventByID returns the archived event with this id and its raw bytes.
func (s *Store) GetEventByID(ctx context.Context, id int64) (_ EventRow, _ []byte, err error) {
	defer s.note(&err)
	row := s.db.QueryRowContext(ctx, `SELECT `+eventColumns+`, (SELECT raw FROM event_raw WHERE event_raw.id = events.id) FROM events WHERE id = ?`, id)
	var raw []byte
	r, err := scanEvent(scanTail{row, &raw})
	if err == sql.ErrNoRows {
		return r, nil, ErrNotFound
	}
	if err == nil {
		err = s.markOne(ctx, &r)
	}
	return r, raw, err
}

// markOne sets TriggerRetracted on one row.
func (s *Store) markOne(ctx context.Context, r *EventRow) error {
	rows := []EventRow{*r}
	err := s.markRows(ctx, rows)
	*r = rows[0]
	return err
}

// scanTail scans a row that has one more column than scanEvent reads.
type scanTail struct {
	row  *sql.Row
	tail *[]byte
}

func (s scanTail) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail)...) }

// TriggerEvents returns, oldest first, every archived alert of each trigger
// that has an alert received at or after since (all triggers when since is
// zero), for timelines (alert.Timelines).
func (s *Store) TriggerEvents(ctx context.Context, since time.Time) (_ []EventRow, err error) {
	defer s.note(&err)
	q := `SELECT ` + eventColumns + ` FROM events WHERE "trigger" != ''`
	var args []any
	if !since.IsZero() {
		q += ` AND "trigger" IN (SELECT "trigger" FROM events WHERE received_at >= ? AND "trigger" != '')`
		args = append(args, since.UnixMilli())
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	return s.markRetracted(ctx, rows, err)
}
