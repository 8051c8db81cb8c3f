package store

import (
	"strconv"
	"testing"

	"github.com/starling-broker/starling/netcore/skymap"
)

// checkStoredSkymap checks that the archive keeps the compact form of
// MS181101ab's map, pixel for pixel the FITS file's, and none for the
// alerts without a readable map.
func checkStoredSkymap(t *testing.T, s *Store) {
	t.Helper()
	fits, err := skymap.Read(readSample(t, sampleNotices+"lvk-userguide/bayestar.multiorder.fits"))
	if err != nil {
		t.Fatal(err)
	}
	r := getRow(t, s, jsonKey(readSample(t, sampleNotices+"lvk-userguide/MS181101ab-preliminary.json")))
	b, found, err := s.EventSkymap(ctx, r.ID)
	if err != nil || !found {
		t.Fatalf("no compact map stored: %v", err)
	}
	m, err := skymap.ReadCompact(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Pixels) != len(fits.Pixels) || !m.HasPixelDistance || m.DistMean != fits.DistMean {
		t.Fatalf("stored map: %d pixels, distance %v, distmean %v", len(m.Pixels), m.HasPixelDistance, m.DistMean)
	}
	for i, p := range m.Pixels {
		if p != fits.Pixels[i] {
			t.Fatalf("pixel %d: stored %+v, FITS %+v", i, p, fits.Pixels[i])
		}
	}
	for _, key := range []string{
		jsonKey(readSample(t, sampleNotices+"lvk-userguide/MS181101ab-preliminary_displayexample.json")),
		jsonKey(readSample(t, sampleNotices+"lvk-userguide/MS181101ab-retraction.json")),
		"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785",
	} {
		if _, found, err := s.EventSkymap(ctx, getRow(t, s, key).ID); found || err != nil {
			t.Errorf("%s: a compact map (%v)", key, err)
		}
	}
}

func TestSkymapStoredAtIngest(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	ingest(t, s)
	checkStoredSkymap(t, s)
}

func TestSkymapBackfillFromVersion2(t *testing.T) {
	dir := t.TempDir()
	createV2(t, dir, v2Samples(t))
	checkStoredSkymap(t, open(t, dir, Options{}))
}

// TestSkymapBackfillFromVersion6 opens an archive that schema version 6
// wrote (summaries current, no compact maps): the map is decoded and
// stored at Open, and the summary row is left as it was.
func TestSkymapBackfillFromVersion6(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	ingest(t, s)
	r := getRow(t, s, jsonKey(readSample(t, sampleNotices+"lvk-userguide/MS181101ab-preliminary.json")))
	for _, q := range []string{`DROP INDEX events_with_skymap`, `DROP TABLE event_skymap`, `PRAGMA user_version = 6`,
		`UPDATE events SET note = 'kept' WHERE id = ` + strconv.FormatInt(r.ID, 10)} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = open(t, dir, Options{})
	checkStoredSkymap(t, s)
	if got := getRow(t, s, r.IVORN); got.Note != "kept" {
		t.Errorf("the summary was rewritten: %+v", got)
	}
	// Read-only: no back-fill; the map is simply not found.
	if _, err := s.DB().Exec(`DELETE FROM event_skymap`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro := open(t, dir, Options{ReadOnly: true})
	if _, found, err := ro.EventSkymap(ctx, r.ID); found || err != nil {
		t.Errorf("read-only store: found %v, %v", found, err)
	}
}
