package store

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/describe"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

const (
	sampleVOEvents = "../../testdata/voevents/"
	sampleNotices  = "../../testdata/notices/"
)

func readSample(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonKey is the archive key of a JSON alert: the SHA-256 of its bytes.
func jsonKey(raw []byte) string {
	d := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(d[:])
}

// ingest archives real samples through the broker's own paths: VOEvents as
// the receiver takes them, JSON as the Kafka handler does.
func ingest(t *testing.T, s *Store) {
	t.Helper()
	list, err := seen.NewList(s, seen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(list.Close)
	b := broker.New(broker.Config{Checker: &voevent.Checker{}, Seen: list})
	for _, f := range []string{"public/swift/BAT_GRB_Pos_1201696-785.xml", "public/lvk/S190518bb-1-Preliminary.xml"} {
		if o := b.Process(ctx, readSample(t, sampleVOEvents+f), "127.0.0.1:5"); !o.Accepted {
			t.Fatalf("%s: %+v", f, o)
		}
	}
	for i, f := range []string{"lvk-userguide/MS181101ab-preliminary.json", "lvk-userguide/MS181101ab-preliminary_displayexample.json",
		"lvk-userguide/MS181101ab-retraction.json"} {
		o := b.ProcessJSON(ctx, readSample(t, sampleNotices+f), broker.Origin{Source: "kafka igwn.gwalert",
			Kafka: seen.KafkaRef{Topic: "igwn.gwalert", Partition: 1, Offset: int64(40 + i), Time: time.Now()}})
		if !o.Accepted {
			t.Fatalf("%s: %+v", f, o)
		}
	}
	// An Einstein Probe notice read from Hopskotch with the _test header.
	o := b.ProcessJSON(ctx, readSample(t, sampleNotices+"gcn-schema/einstein_probe.wxt.alert.example.json"),
		broker.Origin{Source: "kafka gcn.notices.einstein_probe.wxt.alert", Kafka: seen.KafkaRef{Topic: "gcn.notices.einstein_probe.wxt.alert"}, Test: true})
	if !o.Accepted {
		t.Fatalf("EP: %+v", o)
	}
}

func getRow(t *testing.T, s *Store, key string) EventRow {
	t.Helper()
	r, _, err := s.GetEvent(ctx, key)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return r
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

// checkSamples checks the summaries of the samples ingest archives, with
// values read by hand from the files (sky map figures: healpy's, in
// netcore/skymap/testdata/reference.json). partial leaves out what only the
// broker knows (the _test header, Who/Date, the params count).
func checkSamples(t *testing.T, s *Store, partial bool) {
	t.Helper()
	r := getRow(t, s, "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785")
	if r.Format != "voevent" || r.Role != "observation" || r.Trigger != "1201696" || r.AlertType != "BAT position" || r.Test ||
		r.Retraction || !r.HasPosition || r.RA != 95.7721 || r.Dec != -48.3592 || r.ErrorRadius != 0.05 ||
		!r.EventTime.Equal(time.Date(2023, 12, 10, 21, 29, 4, 490_000_000, time.UTC)) || r.Mission == "" || r.Skymap != nil ||
		r.SummaryVersion != describe.Version {
		t.Errorf("Swift BAT position: %+v", r)
	}
	if !partial && (r.Date != "2023-12-10T21:29:35" || r.ParamsCount != 81) {
		t.Errorf("Swift BAT position: date %q, %d params", r.Date, r.ParamsCount)
	}
	r = getRow(t, s, "ivo://gwnet/LVC#S190518bb-1-Preliminary")
	if r.Trigger != "S190518bb" || r.AlertType != "Preliminary" || r.Test || r.FAR != 1.00415312757e-08 ||
		!r.EventTime.Equal(time.Date(2019, 5, 18, 19, 19, 21, 922_000_000, time.UTC)) /* .922655 kept to the ms */ || r.Significance == "" {
		t.Errorf("S190518bb Preliminary VOEvent: %+v", r)
	}

	prelim := readSample(t, sampleNotices+"lvk-userguide/MS181101ab-preliminary.json")
	r = getRow(t, s, jsonKey(prelim))
	if r.Format != "json" || r.Trigger != "MS181101ab" || r.AlertType != "Preliminary" || !r.Test || r.FAR != 9.11069936486e-14 ||
		!r.EventTime.Equal(time.Date(2018, 11, 1, 22, 22, 46, 654_000_000, time.UTC)) || r.Note != "" || r.Topic != "igwn.gwalert" {
		t.Errorf("MS181101ab Preliminary: %+v", r)
	}
	if m := r.Skymap; m == nil || !near(m.RA, 194.30419921875) || !near(m.Dec, -17.856895095545468) || !near(m.Area50, 8.901102526360619) ||
		!near(m.Area90, 30.988295056781055) || m.DistMean == nil || !near(*m.DistMean, 39.76999609489013) || !near(*m.DistStd, 8.308435058808886) ||
		m.NPix != 19200 || m.MaxOrder != 11 {
		t.Errorf("MS181101ab Preliminary sky map: %+v", m)
	}
	r = getRow(t, s, jsonKey(readSample(t, sampleNotices+"lvk-userguide/MS181101ab-preliminary_displayexample.json")))
	if r.Skymap != nil || !strings.HasPrefix(r.Note, "sky map unreadable: ") || !strings.Contains(r.Note, "cut short") ||
		r.Trigger != "MS181101ab" || r.FAR != 9.11069936486e-14 {
		t.Errorf("MS181101ab display copy: %+v", r)
	}
	r = getRow(t, s, jsonKey(readSample(t, sampleNotices+"lvk-userguide/MS181101ab-retraction.json")))
	if !r.Retraction || r.AlertType != "Retraction" || r.Trigger != "MS181101ab" || !r.Test || !r.EventTime.IsZero() {
		t.Errorf("MS181101ab Retraction: %+v", r)
	}
	r = getRow(t, s, jsonKey(readSample(t, sampleNotices+"gcn-schema/einstein_probe.wxt.alert.example.json")))
	if !r.HasPosition || r.RA != 120 || r.Dec != 40 || r.ErrorRadius != 0.02 || r.Trigger != "01708973486" ||
		!r.EventTime.Equal(time.Date(2024, 3, 1, 21, 46, 5, 130_000_000, time.UTC)) || r.Test == partial {
		t.Errorf("Einstein Probe (a Hopskotch _test record): %+v", r)
	}
}

func TestSummaryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	ingest(t, s)
	checkSamples(t, s, false)
	s.Close()
	checkSamples(t, open(t, dir, Options{}), false) // as stored, after a restart
}

func TestSearch(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	ingest(t, s)
	for _, c := range []struct {
		text string
		want int
	}{
		{"12818", 1},       // the Swift packet's Burst_Inten value
		{"Burst_Inten", 1}, // a param name
		{"MS181101ab", 3},  // an id: the three JSON alerts of the mock superevent
		{"ms1811", 3},      // a prefix, any case
		{"MS181101ab retraction", 1},
		{"S190518bb", 1},             // the LVK VOEvent
		{"ivo://gwnet/LVC#S1905", 1}, // part of an IVORN
		{"#B", 1},                    // too short for the index: a substring of the key
		{"01708973486", 1},           // the Einstein Probe id
		{"no-such-word", 0},
	} {
		n, err := s.CountEvents(ctx, EventQuery{Text: c.text})
		if err != nil || n != int64(c.want) {
			t.Errorf("search %q: %d, %v; want %d", c.text, n, err, c.want)
		}
	}
	rows, err := s.ListEvents(ctx, EventQuery{Text: "MS181101ab", Limit: 2})
	if err != nil || len(rows) != 2 || rows[0].ID < rows[1].ID {
		t.Errorf("list search: %+v %v", rows, err)
	}
	rows, err = s.ListEvents(ctx, EventQuery{Trigger: "MS181101ab"})
	if err != nil || len(rows) != 3 {
		t.Errorf("trigger: %d rows, %v", len(rows), err)
	}
}

// TestMigration7DistanceNull: rows written before migration 7 kept a sky map
// without a distance as "distmean": 0, "diststd": 0; the upgrade makes them
// null (read back as nil) and leaves real distances alone.
func TestMigration7DistanceNull(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	ingest(t, s)
	prelim := jsonKey(readSample(t, sampleNotices+"lvk-userguide/MS181101ab-preliminary.json"))
	if _, err := s.DB().Exec(`UPDATE events SET skymap = json_set(skymap, '$.distmean', 0, '$.diststd', 0) WHERE ivorn = ?;
		UPDATE events SET skymap = '{"ra":1,"dec":2,"area50":3,"area90":4,"distmean":12.5,"diststd":0,"npix":12,"max_order":0}'
		WHERE ivorn = 'ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785';
		PRAGMA user_version = 6`, prelim); err != nil {
		t.Fatal(err)
	}
	if m := getRow(t, s, prelim).Skymap; m == nil || m.DistMean == nil || *m.DistMean != 0 {
		t.Fatalf("before the upgrade: %+v", m)
	}
	s.Close()
	s = open(t, dir, Options{})
	if v, _ := s.Version(ctx); v != SchemaVersion || SchemaVersion < 7 {
		t.Fatalf("schema version %d after the upgrade, want %d (7 or later)", v, SchemaVersion)
	}
	m := getRow(t, s, prelim).Skymap
	if m == nil || m.DistMean != nil || m.DistStd != nil || m.NPix != 19200 {
		t.Errorf("a zero distance after the upgrade: %+v", m)
	}
	var kind string
	if err := s.DB().QueryRow(`SELECT json_type(skymap, '$.distmean') FROM events WHERE ivorn = ?`, prelim).Scan(&kind); err != nil || kind != "null" {
		t.Errorf("stored distmean is %q (%v), want JSON null", kind, err)
	}
	if m := getRow(t, s, "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785").Skymap; m == nil || m.DistMean == nil || *m.DistMean != 12.5 || *m.DistStd != 0 {
		t.Errorf("a real distance was changed: %+v", m)
	}
}
