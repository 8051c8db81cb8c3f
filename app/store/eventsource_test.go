package store

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
)

// sourceArchive admits alerts from a mix of peers, subscriptions and Kafka
// topics, one in three a test, each searchable by a word of its kind and a
// word shared by all.
func sourceArchive(t *testing.T) *Store {
	t.Helper()
	s := open(t, t.TempDir(), Options{})
	origins := []struct{ source, topic, word string }{
		{"127.0.0.1:40001", "", "Preliminary"},
		{"127.0.0.1:40002", "", "Retraction"},
		{"upstream Voevent.Example.org:8099", "", "Initial"},
		{"kafka igwn.gwalert", "igwn.gwalert", "Retraction"},
		{"kafka gcn.notices.swift.bat.guano", "gcn.notices.swift.bat.guano", "Preliminary"},
		{"kafka: gcn.nasa.gov", "IGWN.GWALERT.mock", "Update"},
	}
	for i := range 150 {
		o := origins[i%len(origins)]
		r := record(fmt.Sprintf("ivo://test.example/src#%d", i), fmt.Sprintf("raw %d", i))
		r.Source, r.Kafka = o.source, seen.KafkaRef{Topic: o.topic}
		r.Received = time.Now()
		r.Summary.Test, r.Summary.Role = i%3 == 0, "observation"
		r.Summary.Text = fmt.Sprintf("everyone %s n%d", o.word, i)
		if _, _, err := s.Admit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// want counts by brute force the archived alerts whose source or topic
// contains sub in any case, and that match pred.
func want(t *testing.T, s *Store, sub string, pred func(EventRow) bool) int64 {
	t.Helper()
	all, err := s.ListEvents(ctx, EventQuery{Limit: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range all {
		l := strings.ToLower(sub)
		if (strings.Contains(strings.ToLower(r.Source), l) || strings.Contains(strings.ToLower(r.Topic), l)) && pred(r) {
			n++
		}
	}
	return n
}

func TestSourceFilterCounts(t *testing.T) {
	s := sourceArchive(t)
	for _, sub := range []string{"gwalert", "GWALERT", "GwAlert.Mock", "127.0.0.1", "127.0.0.1:40002", "example.ORG", "kafka", "swift", "a", "", "nothing-like-it"} {
		for _, hide := range []bool{false, true} {
			q := EventQuery{Source: sub, HideTest: hide}
			w := want(t, s, sub, func(r EventRow) bool { return !hide || !r.Test })
			n, err := s.CountEvents(ctx, q)
			if err != nil || n != w {
				t.Errorf("CountEvents(source %q, hide tests %v) = %d, %v; want %d", sub, hide, n, err, w)
			}
			n, _, err = s.CountEventsAt(ctx, q)
			if err != nil || n != w {
				t.Errorf("CountEventsAt(source %q, hide tests %v) = %d, %v; want %d", sub, hide, n, err, w)
			}
			q.Limit = 1000
			rows, err := s.ListEvents(ctx, q)
			if err != nil || int64(len(rows)) != w {
				t.Errorf("ListEvents(source %q, hide tests %v) = %d rows, %v; want %d", sub, hide, len(rows), err, w)
			}
			// Every plan selects the same rows.
			for _, plan := range []int{sourceByPairs, sourceDense, sourceScan} {
				q := EventQuery{Source: sub, HideTest: hide, sourcePlan: plan}
				where, args := q.where()
				var n int64
				if err := s.DB().QueryRow(`SELECT count(*) FROM events`+where, args...).Scan(&n); err != nil || n != w {
					t.Errorf("plan %d, source %q, hide tests %v: %d, %v; want %d", plan, sub, hide, n, err, w)
				}
			}
		}
	}
	// With another filter, and a page in another order.
	w := want(t, s, "GWALERT", func(r EventRow) bool { return !r.Test && strings.Contains(r.Source, "kafka:") })
	n, err := s.CountEvents(ctx, EventQuery{Source: "GWALERT", HideTest: true, Text: "Update"})
	if err != nil || n != w || w == 0 {
		t.Errorf("source and search: %d, %v; want %d", n, err, w)
	}
	rows, err := s.ListEvents(ctx, EventQuery{Source: "gwalert", Sort: SortType, Asc: true, Limit: 1000})
	if err != nil || int64(len(rows)) != want(t, s, "gwalert", func(EventRow) bool { return true }) {
		t.Errorf("source, sorted by type: %d rows, %v", len(rows), err)
	}
}

func TestSourceFilterPlans(t *testing.T) {
	s := sourceArchive(t)
	plan := func(sub string, listing bool) int {
		q := EventQuery{Source: sub}
		if err := s.planSource(ctx, &q, listing); err != nil {
			t.Fatal(err)
		}
		return q.sourcePlan
	}
	if p := plan("gwalert", true); p != sourceByPairs {
		t.Errorf("a few matching rows: plan %d, want the pairs' index", p)
	}
	// Many rows of one pair make a page dense; a count still reads the index.
	tx, err := s.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range sourceDenseRows {
		if _, err := tx.Exec(`INSERT INTO events(ivorn, role, received_at, source, topic, test) VALUES(?, 'observation', 0, 'kafka igwn.gwalert', 'igwn.gwalert', ?)`, fmt.Sprint("dense#", i), i%2); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if p := plan("gwalert", true); p != sourceDense {
		t.Errorf("many matching rows: page plan %d, want dense", p)
	}
	if p := plan("gwalert", false); p != sourceByPairs {
		t.Errorf("many matching rows: count plan %d, want the pairs' index", p)
	}
	// A VTP receiver names each author's connection: too many pairs for the
	// loose scan, and the counts stay right.
	tx, _ = s.DB().Begin()
	for i := range maxSourcePairs {
		tx.Exec(`INSERT INTO events(ivorn, role, received_at, source, test) VALUES(?, 'observation', 0, ?, ?)`, fmt.Sprint("peer#", i), fmt.Sprintf("10.0.%d.%d:%d", i/250, i%250, 30000+i), i%4 == 0)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if p := plan("10.0.1.", false); p != sourceScan {
		t.Errorf("%d distinct sources: plan %d, want a scan", maxSourcePairs, p)
	}
	for _, sub := range []string{"10.0.1.", "GWALERT", "127.0.0.1"} {
		w := want(t, s, sub, func(r EventRow) bool { return !r.Test })
		if n, err := s.CountEvents(ctx, EventQuery{Source: sub, HideTest: true}); err != nil || n != w {
			t.Errorf("source %q over many pairs: %d, %v; want %d", sub, n, err, w)
		}
	}
}

func TestSearchCountHidesTests(t *testing.T) {
	s := sourceArchive(t)
	for _, text := range []string{"everyone", "Retraction", "retract", "Preliminary n1", "Update", "absentword"} {
		for _, hide := range []bool{false, true} {
			q := EventQuery{Text: text, HideTest: hide, Limit: 1000}
			rows, err := s.ListEvents(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			// Check the page by brute force, then the count against it.
			var tests int
			for _, r := range rows {
				if r.Test {
					tests++
				}
			}
			if hide && tests > 0 {
				t.Errorf("search %q hiding tests listed %d tests", text, tests)
			}
			n, err := s.CountEvents(ctx, q)
			if err != nil || n != int64(len(rows)) {
				t.Errorf("CountEvents(search %q, hide tests %v) = %d, %v; want %d", text, hide, n, err, len(rows))
			}
			n, newest, err := s.CountEventsAt(ctx, q)
			if err != nil || n != int64(len(rows)) || newest != 150 {
				t.Errorf("CountEventsAt(search %q, hide tests %v) = %d, %d, %v; want %d, 150", text, hide, n, newest, err, len(rows))
			}
			after, err := s.CountEvents(ctx, EventQuery{Text: text, HideTest: hide, AfterID: 75})
			var wantAfter int64
			for _, r := range rows {
				if r.ID > 75 {
					wantAfter++
				}
			}
			if err != nil || after != wantAfter {
				t.Errorf("CountEvents(search %q after id 75) = %d, %v; want %d", text, after, err, wantAfter)
			}
		}
	}
	// Every alert has the word, one in three is a test.
	if n, _ := s.CountEvents(ctx, EventQuery{Text: "everyone"}); n != 150 {
		t.Errorf("search with tests: %d, want 150", n)
	}
	if n, _ := s.CountEvents(ctx, EventQuery{Text: "everyone", HideTest: true}); n != 100 {
		t.Errorf("search without tests: %d, want 100", n)
	}
	// The count reads the test flag from events_id_test, not the rows.
	q := EventQuery{Text: "everyone", HideTest: true, counting: true}
	where, args := q.where()
	var plan strings.Builder
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN SELECT count(*)`+q.countFrom()+where, args...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, parent, unused int
		var detail string
		rows.Scan(&id, &parent, &unused, &detail)
		plan.WriteString(detail + "; ")
	}
	rows.Close()
	if !strings.Contains(plan.String(), "COVERING INDEX events_id_test") {
		t.Errorf("a search's count reads the rows: %s", plan.String())
	}
}

// TestMigration6 upgrades an archive of schema version 5 (built now, then
// taken back to version 5's indexes) and counts through the new indexes.
func TestMigration6(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	if err := s.FillSynthetic(ctx, 2000, time.Now(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`DROP INDEX events_with_skymap; DROP TABLE event_skymap; DROP INDEX events_source; DROP INDEX events_id_test; CREATE INDEX events_topic ON events(topic, id);
		DROP TABLE triggers; DROP INDEX events_alerts; PRAGMA user_version = 5`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var log strings.Builder
	s = open(t, dir, Options{Log: slog.New(slog.NewTextHandler(&log, nil))})
	if v, _ := s.Version(ctx); v != SchemaVersion || SchemaVersion < 6 {
		t.Fatalf("schema version %d after the upgrade, want %d (6 or later)", v, SchemaVersion)
	}
	var indexes []string
	rows, err := s.DB().Query(`SELECT name FROM sqlite_schema WHERE type = 'index' AND name IN ('events_source', 'events_id_test', 'events_topic') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		indexes = append(indexes, n)
	}
	rows.Close()
	if strings.Join(indexes, " ") != "events_id_test events_source" {
		t.Errorf("indexes after the upgrade: %v", indexes)
	}
	if !strings.Contains(log.String(), "Upgrading the database's schema") || !strings.Contains(log.String(), "Database schema upgraded") {
		t.Errorf("the upgrade was not logged:\n%s", log.String())
	}
	// FillSynthetic: one alert in four from igwn.gwalert, one in ten a test.
	var w int64
	s.DB().QueryRow(`SELECT count(*) FROM events WHERE topic = 'igwn.gwalert' AND NOT test`).Scan(&w)
	if n, err := s.CountEvents(ctx, EventQuery{Source: "GWAlert", HideTest: true}); err != nil || n != w || w == 0 {
		t.Errorf("source count after the upgrade: %d, %v; want %d", n, err, w)
	}
	s.DB().QueryRow(`SELECT count(*) FROM events WHERE alert_type = 'Retraction' AND NOT test`).Scan(&w)
	if n, err := s.CountEvents(ctx, EventQuery{Text: "Retraction", HideTest: true}); err != nil || n != w || w == 0 {
		t.Errorf("search count after the upgrade: %d, %v; want %d", n, err, w)
	}
}
