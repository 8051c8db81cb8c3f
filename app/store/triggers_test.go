package store

import (
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
	"github.com/starling-broker/starling/netcore/seen"
)

// admitJSON archives a JSON alert as read from topic, summarised as the
// broker does (describe.JSON), through the writer's admission path.
func admitJSON(t *testing.T, s *Store, topic string, raw []byte, received time.Time) {
	t.Helper()
	d := sha256.Sum256(raw)
	rec := seen.Record{IVORN: seen.KeyOf(d), Digest: d, Source: "kafka " + topic, Received: received, Raw: raw,
		Summary: describe.JSON(topic, raw, false), Format: alert.FormatJSON, Kafka: seen.KafkaRef{Topic: topic, Time: received}}
	if v, _, err := s.Admit(ctx, rec); err != nil || v != seen.New {
		t.Fatalf("admit %s: %v %v", topic, v, err)
	}
}

// readNotice reads a sample from testdata/notices.
func readNotice(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/notices/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// heartbeatArchive holds 60 gcn.heartbeat records and 3 alerts, received
// over the hour before t0.
func heartbeatArchive(t *testing.T, t0 time.Time) *Store {
	s := open(t, t.TempDir(), Options{})
	for i := range 60 {
		at := t0.Add(-time.Hour + time.Duration(i)*time.Second)
		raw := fmt.Sprintf(`{"$schema":"https://gcn.nasa.gov/schema/v4.1.0/gcn/notices/core/Alert.schema.json","alert_datetime":%q}`, at.Format(time.RFC3339))
		admitJSON(t, s, "gcn.heartbeat", []byte(raw), at)
	}
	admitJSON(t, s, "gcn.notices.maxi.gsc.known", readNotice(t, "gcn-schema/maxi.gsc.known.example.json"), t0.Add(-30*time.Minute))
	admitJSON(t, s, "gcn.notices.einstein_probe.wxt.alert", readNotice(t, "gcn-schema/einstein_probe.wxt.alert.example.json"), t0.Add(-20*time.Minute))
	admitJSON(t, s, "gcn.notices.maxi.gsc.unknown", readNotice(t, "gcn-schema/maxi.gsc.unknown.circle.example.json"), t0.Add(-10*time.Minute))
	return s
}

func TestHeartbeatsAreNoAlerts(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	s := heartbeatArchive(t, t0)
	var beats int
	s.DB().QueryRow(`SELECT count(*) FROM events WHERE alert_type = 'Heartbeat'`).Scan(&beats)
	if beats != 60 {
		t.Fatalf("%d heartbeats archived, want 60", beats)
	}
	for _, q := range []EventQuery{{}, {HideTest: true}, {From: t0.Add(-2 * time.Hour)}, {Sort: SortType}, {Source: "gcn"}} {
		rows, err := s.ListEvents(ctx, q)
		if err != nil || len(rows) != 3 {
			t.Errorf("list %+v: %d rows, %v; want 3", q, len(rows), err)
		}
		for _, r := range rows {
			if r.AlertType == alert.HeartbeatType {
				t.Errorf("list %+v holds a heartbeat", q)
			}
		}
		if n, err := s.CountEvents(ctx, q); err != nil || n != 3 {
			t.Errorf("count %+v: %d, %v; want 3", q, n, err)
		}
		if n, _, err := s.CountEventsAt(ctx, q); err != nil || n != 3 {
			t.Errorf("count at %+v: %d, %v; want 3", q, n, err)
		}
	}
	for _, q := range []SkyQuery{{}, {Test: true}, {Since: t0.Add(-2 * time.Hour), Until: t0}, {Events: &EventQuery{}}} {
		bins, err := s.Rates(ctx, q, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, b := range bins {
			n += b.Count
			if b.Source == "gcn.heartbeat" {
				t.Errorf("rates %+v count heartbeats: %+v", q, b)
			}
		}
		if n != 3 {
			t.Errorf("rates %+v: %d alerts, want 3", q, n)
		}
		pos, err := s.Positions(ctx, q)
		if err != nil || len(pos) != 3 {
			t.Errorf("positions %+v: %d, %v; want 3", q, len(pos), err)
		}
	}
	if n, err := s.CountEvents(ctx, EventQuery{Text: "heartbeat"}); err != nil || n != 0 {
		t.Errorf("a search for heartbeat counts %d, %v; want 0", n, err)
	}
	// Asked for by their source, or with Heartbeats, they are there.
	for _, q := range []EventQuery{{Source: "gcn.heartbeat", Limit: 1000}, {Source: "HEARTBEAT", Limit: 1000}, {AlertType: alert.HeartbeatType, Limit: 1000}} {
		rows, err := s.ListEvents(ctx, q)
		if err != nil || len(rows) != 60 {
			t.Errorf("list %+v: %d rows, %v; want 60", q, len(rows), err)
		}
		if n, err := s.CountEvents(ctx, q); err != nil || n != 60 {
			t.Errorf("count %+v: %d, %v; want 60", q, n, err)
		}
	}
	if n, err := s.CountEvents(ctx, EventQuery{Heartbeats: true}); err != nil || n != 63 {
		t.Errorf("count with heartbeats: %d, %v; want 63", n, err)
	}
	// A heartbeat after the alerts: the newest alert is still the last of
	// the three, and the notifier's feed holds the three.
	admitJSON(t, s, "gcn.heartbeat", []byte(`{"alert_datetime":"2026-12-06T12:00:00Z"}`), t0)
	rows, _ := s.ListEvents(ctx, EventQuery{Limit: 1})
	var maxID int64
	s.DB().QueryRow(`SELECT max(id) FROM events`).Scan(&maxID)
	if last, err := s.LastEventID(ctx); err != nil || len(rows) != 1 || last != rows[0].ID || last == maxID {
		t.Errorf("last event id %d, %v; want the newest alert's", last, err)
	}
	if after, err := s.EventsAfter(ctx, 0, 100); err != nil || len(after) != 3 {
		t.Errorf("events after 0: %d, %v; want 3", len(after), err)
	}
}

// The plain list in id order reads the partial index events_alerts, not
// every row.
func TestHeartbeatListPlan(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	q := EventQuery{Limit: 100}
	where, args := q.where()
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN SELECT `+eventColumns+` FROM events`+where+orderBy(q.Sort, q.Asc)+` LIMIT 100`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		rows.Scan(&id, &parent, &notused, &detail)
		plan += detail + "\n"
	}
	if !strings.Contains(plan, "events_alerts") {
		t.Errorf("plan does not use events_alerts:\n%s", plan)
	}
}

// checkMS230425k checks the state of MS230425k after its Preliminary,
// Retraction and Initial.
func checkMS230425k(t *testing.T, s *Store) {
	t.Helper()
	tr, err := s.Trigger(ctx, "MS230425k")
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Retracted || !tr.Test || tr.Mission != "LVK" {
		t.Errorf("state %+v", tr.State)
	}
	if got := tr.Alerts(); !slices.Equal(got, []string{"Preliminary", "Initial", "Retraction"}) {
		t.Errorf("alerts %v", got)
	}
	if g := tr.GW; g == nil || g.Classification["BNS"] != 1 || g.HasNS == nil || *g.HasNS != 1 || g.Significant == nil || !*g.Significant {
		t.Errorf("GW %+v", tr.GW)
	}
	if tr.Skymap == nil || tr.Skymap.Area90 <= 0 || tr.Skymap.DistMean == nil || *tr.Skymap.DistMean <= 0 || !tr.HasPosition {
		t.Errorf("no sky map summary from the Initial: %+v", tr.State)
	}
	rows, err := s.ListEvents(ctx, EventQuery{Trigger: "MS230425k"})
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d alerts, %v", len(rows), err)
	}
	if tr.LatestID != rows[0].ID {
		t.Errorf("latest id %d, want %d", tr.LatestID, rows[0].ID)
	}
	for _, r := range rows {
		if !r.TriggerRetracted {
			t.Errorf("%s (%s) not marked retracted", r.IVORN, r.AlertType)
		}
	}
	all, err := s.Triggers(ctx, TriggerQuery{Test: true})
	if err != nil || len(all) != 1 {
		t.Errorf("triggers: %d, %v", len(all), err)
	}
	if live, _ := s.Triggers(ctx, TriggerQuery{}); len(live) != 0 {
		t.Errorf("a mock trigger listed without Test: %+v", live)
	}
	if recent, _ := s.Triggers(ctx, TriggerQuery{Test: true, Since: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}); len(recent) != 0 {
		t.Errorf("a trigger listed before its time: %+v", recent)
	}
}

func TestTriggerStateFollowsAdmissions(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	t0 := time.Date(2023, 4, 25, 10, 56, 53, 0, time.UTC)
	admitJSON(t, s, "igwn.gwalert", readNotice(t, "lvk-gocart/MS230425k-preliminary.json"), t0)
	if tr, err := s.Trigger(ctx, "MS230425k"); err != nil || tr.Retracted {
		t.Fatalf("after the Preliminary: %+v %v", tr, err)
	}
	admitJSON(t, s, "igwn.gwalert", readNotice(t, "lvk-gocart/MS230425k-retraction.json"), t0.Add(5*time.Minute))
	admitJSON(t, s, "igwn.gwalert", readNotice(t, "lvk-gocart/MS230425k-initial.json"), t0.Add(83*time.Minute))
	checkMS230425k(t, s)
	if err := s.SetTriggerNotified(ctx, "MS230425k", NotifiedRetracted); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTriggerNotified(ctx, "nope", NotifiedLive); err != ErrNotFound {
		t.Errorf("notified of an unknown trigger: %v", err)
	}

	// An archive of schema 6 (no triggers) gets them from its alerts, and
	// what was notified survives a rebuild.
	s.Close()
	s = open(t, dir, Options{})
	if _, err := s.DB().Exec(`DROP TABLE triggers; DROP INDEX events_alerts; DROP INDEX events_id_test; CREATE INDEX events_id_test ON events(id, test);
		DELETE FROM settings WHERE key = 'store.triggers_version'; PRAGMA user_version = 6`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir, Options{})
	checkMS230425k(t, s)
	if err := s.SetTriggerNotified(ctx, "MS230425k", NotifiedLive); err != nil {
		t.Fatal(err)
	}
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.rebuildTriggers(ctx, conn, true); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if tr, _ := s.Trigger(ctx, "MS230425k"); tr.Notified != NotifiedLive {
		t.Errorf("notified %q after a rebuild", tr.Notified)
	}
}
