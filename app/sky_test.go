package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/skymap"
)

func TestSkymapAlertPlacedAtItsPeak(t *testing.T) {
	c, err := Open(context.Background(), Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ctx := context.Background()
	raw, err := os.ReadFile(notices + "lvk-gocart/S230528ay-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	deliverKafka(t, c, raw, "igwn.gwalert")
	pos, err := c.Archive().Positions(ctx, SkyQuery{})
	if err != nil || len(pos) != 1 {
		t.Fatalf("positions %v, %v", pos, err)
	}
	m, err := c.Archive().Skymap(ctx, pos[0].ID)
	if err != nil || m == nil {
		t.Fatalf("sky map %v, %v", m, err)
	}
	ra, dec := m.MostProbable()
	if math.Abs(float64(pos[0].RA)-ra) > 1e-3 || math.Abs(float64(pos[0].Dec)-dec) > 1e-3 || pos[0].Err != 0 {
		t.Fatalf("placed at %+v, the map's peak is %v %v", pos[0], ra, dec)
	}
	if again, _ := c.Archive().Skymap(ctx, pos[0].ID); again != m {
		t.Fatal("the decoded map is not cached")
	}
	if label, err := c.Archive().Label(ctx, pos[0].ID); err != nil || label != "S230528ay · Preliminary · LVK" {
		t.Fatalf("label %q, %v", label, err)
	}
}

func TestRatesCountVTPPeersByHost(t *testing.T) {
	c, err := Open(context.Background(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ctx := context.Background()
	now := time.Now()
	for i, src := range []string{"127.0.0.1:5000", "127.0.0.1:5001", "[::1]:6000", "kafka gcn"} {
		raw := []byte(fmt.Sprint(i))
		d := sha256.Sum256(raw)
		if _, _, err := c.store.Admit(ctx, seen.Record{IVORN: fmt.Sprintf("ivo://test/rates#%d", i), Digest: d, Source: src, Received: now, Raw: raw}); err != nil {
			t.Fatal(err)
		}
	}
	bins, err := c.Archive().Rates(ctx, SkyQuery{Since: now.Add(-time.Hour)}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, b := range bins {
		got[b.Source] += b.Count
	}
	if len(got) != 3 || got["vtp 127.0.0.1"] != 2 || got["vtp ::1"] != 1 || got["kafka gcn"] != 1 {
		t.Fatalf("rates by source %v", got)
	}
}

// TestSelectingArchivedGWAlertDecodesNoFITS archives an LVK alert through
// the Kafka path, then, in a Core opened afresh (nothing kept in memory),
// selects it as the window does: its map comes from the archive's compact
// form, pixel for pixel the FITS file's, and no FITS is decoded. Without
// the compact form (deleted here), the same selection decodes the FITS once.
func TestSelectingArchivedGWAlertDecodesNoFITS(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(context.Background(), Options{DataDir: dir, RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	raw, err := os.ReadFile(notices + "lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	deliverKafka(t, c, raw, "igwn.gwalert")
	id, err := c.Archive().LastID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.Close(context.Background())

	fitsBytes, err := os.ReadFile(notices + "lvk-userguide/bayestar.multiorder.fits")
	if err != nil {
		t.Fatal(err)
	}
	want, err := skymap.Read(fitsBytes)
	if err != nil {
		t.Fatal(err)
	}
	select1 := func() (*skymap.Map, int64) {
		c, err := Open(context.Background(), Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		m, err := c.Archive().Skymap(ctx, id)
		if err != nil || m == nil {
			t.Fatalf("sky map %v, %v", m, err)
		}
		if again, _ := c.Archive().Skymap(ctx, id); again != m {
			t.Fatal("the map read is not kept by the Core")
		}
		return m, c.skymaps.fitsDecodes.Load()
	}
	m, decodes := select1()
	if decodes != 0 {
		t.Fatalf("selecting the archived alert decoded FITS %d times", decodes)
	}
	if len(m.Pixels) != len(want.Pixels) || !m.HasPixelDistance || !reflect.DeepEqual(m.Summary(), want.Summary()) {
		t.Fatalf("map read: %d pixels, summary %+v; FITS %d, %+v", len(m.Pixels), m.Summary(), len(want.Pixels), want.Summary())
	}
	for i := range m.Pixels {
		if m.Pixels[i] != want.Pixels[i] {
			t.Fatalf("pixel %d: %+v, FITS %+v", i, m.Pixels[i], want.Pixels[i])
		}
	}

	// The hook counts: without the compact form the map is decoded from
	// the alert's FITS, once, and is the same.
	st, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.store.DB().Exec(`DELETE FROM event_skymap`); err != nil {
		t.Fatal(err)
	}
	st.Close(context.Background())
	// Open back-fills the compact form again: keep it from doing so by
	// reading through a read-only Core's store.
	ro, err := Open(context.Background(), Options{DataDir: dir, Shared: true, ReadOnly: true, MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close(context.Background())
	m2, err := ro.Archive().Skymap(ctx, id)
	if err != nil || m2 == nil || !reflect.DeepEqual(m2.Summary(), want.Summary()) {
		t.Fatalf("decoded from FITS: %v, %v", m2, err)
	}
	if n := ro.skymaps.fitsDecodes.Load(); n != 1 {
		t.Fatalf("%d FITS decodes without the compact form, want 1", n)
	}
}
