package app

import (
	"context"
	"math"
	"os"
	"testing"
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
	if err := c.ArchiveJSON(ctx, raw, "igwn.gwalert"); err != nil {
		t.Fatal(err)
	}
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
