package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
)

// v2Row is an archive row as schema version 2 wrote it: the VOEvent
// summary's columns only, nothing for JSON but its format and topic.
type v2Row struct {
	key, role, topic string
	format           alert.Format
	raw              []byte
	ra, dec, err     any
}

// createV2 writes a database at schema version 2 (migrations 1 and 2, as
// released) holding rows.
func createV2(tb testing.TB, dir string, rows []v2Row) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, m := range migrations[:2] {
		if _, err := db.Exec(m); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := db.Exec(`PRAGMA user_version = 2`); err != nil {
		tb.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	ev, _ := tx.Prepare(`INSERT INTO events(ivorn, role, author, received_at, source, ra, dec, err, format, topic) VALUES(?,?,?,?,?,?,?,?,?,?)`)
	raw, _ := tx.Prepare(`INSERT INTO event_raw(id, raw) VALUES(?,?)`)
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	for i, r := range rows {
		res, err := ev.Exec(r.key, r.role, "old author", at+int64(i), "old source", r.ra, r.dec, r.err, string(r.format), r.topic)
		if err != nil {
			tb.Fatal(err)
		}
		id, _ := res.LastInsertId()
		if _, err := raw.Exec(id, r.raw); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// v2Samples are the samples of ingest, as version 2 archived them.
func v2Samples(t *testing.T) []v2Row {
	var rows []v2Row
	for _, f := range [][2]string{
		{"public/swift/BAT_GRB_Pos_1201696-785.xml", "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785"},
		{"public/lvk/S190518bb-1-Preliminary.xml", "ivo://gwnet/LVC#S190518bb-1-Preliminary"},
	} {
		raw := readSample(t, sampleVOEvents+f[0])
		rows = append(rows, v2Row{key: f[1], role: "observation", format: alert.FormatVOEvent, raw: raw, ra: 1.0, dec: 2.0, err: 3.0})
	}
	for _, f := range []string{"lvk-userguide/MS181101ab-preliminary.json", "lvk-userguide/MS181101ab-preliminary_displayexample.json",
		"lvk-userguide/MS181101ab-retraction.json"} {
		raw := readSample(t, sampleNotices+f)
		rows = append(rows, v2Row{key: jsonKey(raw), format: alert.FormatJSON, topic: "igwn.gwalert", raw: raw})
	}
	raw := readSample(t, sampleNotices+"gcn-schema/einstein_probe.wxt.alert.example.json")
	rows = append(rows, v2Row{key: jsonKey(raw), format: alert.FormatJSON, topic: "gcn.notices.einstein_probe.wxt.alert", raw: raw})
	// Bytes that no longer parse keep what version 2 knew of them.
	return append(rows, v2Row{key: "ivo://broken.test/x#1", role: "test", format: alert.FormatVOEvent, raw: []byte("<VOEvent"), ra: 10.0, dec: 20.0, err: 0.5})
}

func TestBackfillFromVersion2(t *testing.T) {
	dir := t.TempDir()
	createV2(t, dir, v2Samples(t))
	s := open(t, dir, Options{})
	if v, _ := s.Version(ctx); v != SchemaVersion {
		t.Fatalf("schema version %d", v)
	}
	checkSamples(t, s, true)
	if r := getRow(t, s, "ivo://broken.test/x#1"); !strings.HasPrefix(r.Note, "unparsable VOEvent: ") || !r.HasPosition ||
		r.RA != 10 || r.Dec != 20 || r.ErrorRadius != 0.5 || r.Author != "old author" || r.SummaryVersion != describe.Version {
		t.Errorf("unparsable VOEvent: %+v", r)
	}
	if n, _ := s.CountEvents(ctx, EventQuery{Text: "12818"}); n != 1 {
		t.Errorf("search for a back-filled param value: %d", n)
	}
	if n, _ := s.CountEvents(ctx, EventQuery{Text: "MS181101ab"}); n != 3 {
		t.Errorf("search for a back-filled id: %d", n)
	}

	// Resumable: a row left at an older summary version is done at the
	// next Open; rows already at this version are not touched again.
	db := s.DB()
	swift := getRow(t, s, "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785")
	lvk := getRow(t, s, "ivo://gwnet/LVC#S190518bb-1-Preliminary")
	if _, err := db.Exec(`UPDATE events SET note = 'stale', summary_version = 0 WHERE id = ?`, swift.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE events SET note = 'kept' WHERE id = ?`, lvk.ID); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir, Options{})
	if r := getRow(t, s, swift.IVORN); r.Note != "" || r.SummaryVersion != describe.Version {
		t.Errorf("the stale row was not re-summarised: %+v", r)
	}
	if r := getRow(t, s, lvk.IVORN); r.Note != "kept" {
		t.Errorf("a current row was summarised again: %+v", r)
	}
	if n, _ := s.CountEvents(ctx, EventQuery{Text: "12818"}); n != 1 {
		t.Errorf("the re-summarised row is indexed %d times", n)
	}
}

func TestIndexCatchUp(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	ingest(t, s)
	s.Close()
	// A process that died after committing, before indexing: the index
	// lacks the newest alerts.
	s = open(t, dir, Options{})
	if _, err := s.DB().Exec(`DELETE FROM events_fts WHERE rowid > 2`); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountEvents(ctx, EventQuery{Text: "MS181101ab"}); n != 0 {
		t.Fatalf("the index still has %d", n)
	}
	s.Close()
	s = open(t, dir, Options{})
	if n, _ := s.CountEvents(ctx, EventQuery{Text: "MS181101ab"}); n != 3 {
		t.Errorf("after the catch-up the index finds %d", n)
	}
}

// TestIndexManyAdmissions admits more alerts than one index batch, from
// many goroutines: every one is found, whether indexed inside a later
// admission's transaction or on its own.
func TestIndexManyAdmissions(t *testing.T) {
	s := open(t, t.TempDir(), Options{Synchronous: "NORMAL"})
	const n = 3 * indexBatch / 2
	done := make(chan error, n)
	for i := range n {
		go func() {
			_, _, err := s.Admit(ctx, record(fmt.Sprintf("ivo://many.test/x#%d", i), fmt.Sprint(i)))
			done <- err
		}()
	}
	for range n {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.CountEvents(ctx, EventQuery{Text: "many.test"}); got != n {
		t.Errorf("search finds %d of %d", got, n)
	}
	if got, _ := s.CountEvents(ctx, EventQuery{Text: "ivo://many.test/x#1234"}); got != 0 {
		t.Errorf("search for an absent id finds %d", got)
	}
	if got, _ := s.CountEvents(ctx, EventQuery{Text: "ivo://many.test/x#123"}); got != 1 {
		t.Errorf("search for one id finds %d", got)
	}
}

// TestIndexTwoProcesses opens a second store on the directory while the
// first still has alerts waiting to be indexed: the second indexes them at
// Open, the first indexes them again when it closes, and each is found once.
func TestIndexTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, Options{})
	for i := range 5 {
		if _, _, err := a.Admit(ctx, record(fmt.Sprintf("ivo://two.test/x#%d", i), fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if a.indexPending() == 0 {
		t.Skip("the writer indexed already")
	}
	b := open(t, dir, Options{})
	if n, _ := b.CountEvents(ctx, EventQuery{Text: "two.test"}); n != 5 {
		t.Errorf("the second process finds %d", n)
	}
	a.Close()
	if n, _ := b.CountEvents(ctx, EventQuery{Text: "two.test"}); n != 5 {
		t.Errorf("after the first indexed them too: %d", n)
	}
	if n, _ := b.CountEvents(ctx, EventQuery{Text: "ivo://two.test/x#3"}); n != 1 {
		t.Errorf("one id: %d", n)
	}
}
