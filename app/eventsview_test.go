package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/seen"
)

// archiveLVK archives the LVK user guide's mock superevent alerts in
// received order, as a Kafka source would.
func archiveLVK(t *testing.T, c *Core, names ...string) {
	t.Helper()
	for i, n := range names {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "notices", "lvk-userguide", n))
		if err != nil {
			t.Fatal(err)
		}
		o := c.subs.b.ProcessJSON(context.Background(), raw, broker.Origin{Source: "kafka: test",
			Kafka: seen.KafkaRef{Topic: "igwn.gwalert", Offset: int64(i)}})
		if !o.Accepted {
			t.Fatalf("%s not accepted: %s %v", n, o.Reason, o.StoreErr)
		}
	}
}

func TestEventDetailTimelineLinksAndSavedFilters(t *testing.T) {
	c, err := Open(Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	// The retraction arrives before the update: the timeline still puts it last.
	archiveLVK(t, c, "MS181101ab-preliminary.json", "MS181101ab-retraction.json", "MS181101ab-ext-update.json")
	rows, err := c.EventsPage(ctx, EventFilter{Sort: "type", Asc: true}, EventCursor{}, 10)
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %d, %v", len(rows), err)
	}
	if n, _ := c.CountEvents(ctx, EventFilter{HideTest: true}); n != 0 {
		t.Errorf("mock superevents not hidden: %d", n)
	}
	d, err := c.EventDetailByID(ctx, rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Timeline) != 3 || d.Timeline[2].Type != "Retraction" || !d.Timeline[2].Row.Retraction {
		t.Fatalf("timeline %+v", d.Timeline)
	}
	if len(d.Links) == 0 || d.Links[0].URL != "https://example.org/superevents/MS181101ab/view/" {
		t.Errorf("links %+v", d.Links)
	}
	f := EventFilter{Text: "MS181101ab", Type: "Retraction"}
	if err := c.SaveEventFilter(ctx, "retractions", &f); err != nil {
		t.Fatal(err)
	}
	saved, err := c.SavedEventFilters(ctx)
	if err != nil || saved["retractions"] != f {
		t.Fatalf("saved %+v, %v", saved, err)
	}
	if n, _ := c.CountEvents(ctx, saved["retractions"]); n != 1 {
		t.Errorf("saved filter counts %d, want 1", n)
	}
}
