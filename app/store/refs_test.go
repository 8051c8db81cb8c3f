package store

import (
	"context"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// vdbRows reads the refs and positions recorded, as text.
func vdbRows(t *testing.T, s *Store) (refs, coords []string) {
	t.Helper()
	rows, err := s.DB().Query(`SELECT e.ivorn || ' ' || r.cite_type || ' ' || r.ivorn FROM refs r JOIN events e ON e.id = r.event_id ORDER BY r.rowid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x string
		rows.Scan(&x)
		refs = append(refs, x)
	}
	rows.Close()
	rows, err = s.DB().Query(`SELECT e.ivorn || ' ' || c.ra || ' ' || c.dec FROM vdb_coords c JOIN events e ON e.id = c.event_id ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x string
		rows.Scan(&x)
		coords = append(coords, x)
	}
	rows.Close()
	return refs, coords
}

// TestRefsBackfill: the citations and positions written at admission are
// those that the back-fill, for an archive written before migration 12,
// writes from the raw bytes, in the background and once.
func TestRefsBackfill(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	list, err := seen.NewList(s, seen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := broker.New(broker.Config{Checker: &voevent.Checker{}, Seen: list})
	for _, f := range []string{"public/swift/BAT_GRB_Pos_1201696-785.xml", "public/swift/XRT_Pos_1201696-838.xml",
		"public/swift/BAT_Lightcurve_1201696-875.xml", "public/ipn/Raw_2014-04-23T10_25_03.31_-00001-714.xml", "public/lvk/S190518bb-2-Retraction.xml"} {
		if o := b.Process(context.Background(), readSample(t, sampleVOEvents+f), "127.0.0.1:5"); !o.Accepted {
			t.Fatalf("%s: %+v", f, o)
		}
	}
	list.Close()
	refs, coords := vdbRows(t, s)
	if len(refs) < 2 || len(coords) != 3 {
		t.Fatalf("at admission: refs %q, coords %q", refs, coords)
	}
	// As an archive written before migration 12 would be.
	if _, err := s.DB().Exec(`DELETE FROM refs; DELETE FROM vdb_coords; UPDATE settings SET value = (SELECT max(id) + 1 FROM events) WHERE key = 'refs_backfill_below'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir, Options{})
	deadline := time.Now().Add(30 * time.Second)
	for {
		done, err := s.RefsBackfillDone(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the back-fill did not finish")
		}
		time.Sleep(10 * time.Millisecond)
	}
	r2, c2 := vdbRows(t, s)
	if len(r2) != len(refs) || len(c2) != len(coords) {
		t.Fatalf("after the back-fill: refs %q, coords %q; want %q, %q", r2, c2, refs, coords)
	}
	for i := range refs {
		if r2[i] != refs[i] && len(refs) > 1 { // the back-fill goes newest first: same set
			found := false
			for _, x := range refs {
				found = found || x == r2[i]
			}
			if !found {
				t.Errorf("back-filled ref %q not among %q", r2[i], refs)
			}
		}
	}
	s.Close()
	s = open(t, dir, Options{}) // done: nothing is written twice
	time.Sleep(50 * time.Millisecond)
	if r3, c3 := vdbRows(t, s); len(r3) != len(refs) || len(c3) != len(coords) {
		t.Errorf("after a second open: %d refs, %d coords", len(r3), len(c3))
	}
}
