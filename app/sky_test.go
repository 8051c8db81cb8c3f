package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
)

func TestSkymapAlertPlacedAtItsPeak(t *testing.T) {
	c, err := Open(Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	raw, err := os.ReadFile(notices + "lvk-gocart/S230528ay-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	deliverKafka(t, c, raw, "igwn.gwalert")
	pos, err := c.Positions(ctx, SkyQuery{})
	if err != nil || len(pos) != 1 {
		t.Fatalf("positions %v, %v", pos, err)
	}
	m, err := c.EventSkymap(ctx, pos[0].ID)
	if err != nil || m == nil {
		t.Fatalf("sky map %v, %v", m, err)
	}
	ra, dec := m.MostProbable()
	if math.Abs(float64(pos[0].RA)-ra) > 1e-3 || math.Abs(float64(pos[0].Dec)-dec) > 1e-3 || pos[0].Err != 0 {
		t.Fatalf("placed at %+v, the map's peak is %v %v", pos[0], ra, dec)
	}
	if again, _ := c.EventSkymap(ctx, pos[0].ID); again != m {
		t.Fatal("the decoded map is not cached")
	}
	if label, err := c.EventLabel(ctx, pos[0].ID); err != nil || label != "S230528ay · Preliminary · LVK" {
		t.Fatalf("label %q, %v", label, err)
	}
}

func TestRatesCountVTPPeersByHost(t *testing.T) {
	c, err := Open(Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	now := time.Now()
	for i, src := range []string{"127.0.0.1:5000", "127.0.0.1:5001", "[::1]:6000", "kafka gcn"} {
		raw := []byte(fmt.Sprint(i))
		d := sha256.Sum256(raw)
		if _, _, err := c.store.Admit(ctx, seen.Record{IVORN: fmt.Sprintf("ivo://test/rates#%d", i), Digest: d, Source: src, Received: now, Raw: raw}); err != nil {
			t.Fatal(err)
		}
	}
	bins, err := c.Rates(ctx, SkyQuery{Since: now.Add(-time.Hour)}, time.Hour)
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
