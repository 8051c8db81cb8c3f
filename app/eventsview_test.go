package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

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
		o := c.b.ProcessJSON(context.Background(), raw, broker.Origin{Source: "kafka: test",
			Kafka: seen.KafkaRef{Topic: "igwn.gwalert", Offset: int64(i)}})
		if !o.Accepted {
			t.Fatalf("%s not accepted: %s %v", n, o.Reason, o.StoreErr)
		}
	}
}

func TestEventDetailTimelineLinksAndSavedFilters(t *testing.T) {
	c, err := Open(context.Background(), Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ctx := context.Background()
	// The retraction arrives before the update: the timeline still puts it last.
	archiveLVK(t, c, "MS181101ab-preliminary.json", "MS181101ab-retraction.json", "MS181101ab-ext-update.json")
	rows, err := c.Archive().Events(ctx, EventFilter{Sort: "type", Asc: true}.Query(EventCursor{}, 10))
	if err != nil || len(rows) != 3 {
		t.Fatalf("rows %d, %v", len(rows), err)
	}
	if n, _ := c.Archive().Count(ctx, EventFilter{HideTest: true}.Query(EventCursor{}, 0)); n != 0 {
		t.Errorf("mock superevents not hidden: %d", n)
	}
	d, err := c.Archive().Detail(ctx, rows[0].ID)
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
	if err := c.Settings().SaveEventFilter(ctx, "retractions", &f); err != nil {
		t.Fatal(err)
	}
	saved, err := c.Settings().EventFilters(ctx)
	if err != nil || saved["retractions"] != f {
		t.Fatalf("saved %+v, %v", saved, err)
	}
	if n, _ := c.Archive().Count(ctx, saved["retractions"].Query(EventCursor{}, 0)); n != 1 {
		t.Errorf("saved filter counts %d, want 1", n)
	}
	// A range is saved: exact times as they are, a relative one as its length.
	night := EventFilter{From: time.Date(2026, 11, 30, 22, 41, 7, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	week := EventFilter{Last: 7 * 24 * time.Hour}
	c.Settings().SaveEventFilter(ctx, "night", &night)
	c.Settings().SaveEventFilter(ctx, "week", &week)
	saved, err = c.Settings().EventFilters(ctx)
	if err != nil || !saved["night"].From.Equal(night.From) || !saved["night"].To.Equal(night.To) || saved["week"].Last != week.Last {
		t.Fatalf("saved ranges %+v, %v", saved, err)
	}
	now := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	if got := saved["week"].At(now); !got.From.Equal(now.Add(-week.Last)) || !got.To.IsZero() {
		t.Errorf("the last week at %v is %v – %v", now, got.From, got.To)
	}
	if got := saved["night"].At(now); !got.From.Equal(night.From) {
		t.Errorf("an exact range moved: %v", got.From)
	}
}
