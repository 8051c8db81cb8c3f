package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/seen"
)

// TestDedupViewInWords: real alerts, each offered twice (a VOEvent from a
// peer, an LVK JSON alert from Kafka), are refused the second time; the
// refusals and the seen-list name them as the table does, with the reason
// and the time in words, and a JSON alert is found by its trigger.
func TestDedupViewInWords(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	v := c.Archive().Dedup(ctx)
	if got := v.CacheText(); !strings.Contains(got, "stays 0 % until an alert arrives twice") {
		t.Errorf("fresh cache line %q", got)
	}
	bat, err := os.ReadFile(filepath.Join("..", "testdata", "voevents", "public", "swift", "BAT_GRB_Pos_1201696-785.xml"))
	if err != nil {
		t.Fatal(err)
	}
	lvk, err := os.ReadFile(filepath.Join("..", "testdata", "notices", "lvk-userguide", "MS181101ab-preliminary.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		o := c.b.Process(ctx, bat, "192.0.2.7:5000")
		j := c.b.ProcessJSON(ctx, lvk, broker.Origin{Source: "kafka: igwn.gwalert", Kafka: seen.KafkaRef{Topic: "igwn.gwalert", Offset: int64(i)}})
		if o.Accepted != (i == 0) || j.Accepted != (i == 0) {
			t.Fatalf("round %d: accepted %v %v", i, o.Accepted, j.Accepted)
		}
	}
	v = c.Archive().Dedup(ctx)
	rs := c.Archive().Refusals(ctx, v)
	if len(rs) != 2 {
		t.Fatalf("%d refusals", len(rs))
	}
	now := time.Now()
	lvkLine, batLine := rs[0].Text(now), rs[1].Text(now)
	for line, wants := range map[string][]string{
		batLine: {"refused 1201696 · Swift BAT position · 192.0.2.7:5000 (ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785)", "from 192.0.2.7:5000", "already seen", "answered from memory", "UTC (just now)"},
		lvkLine: {"refused MS181101ab · LVK Preliminary · igwn.gwalert (sha256:", "already seen"},
	} {
		for _, w := range wants {
			if !strings.Contains(line, w) {
				t.Errorf("refusal %q lacks %q", line, w)
			}
		}
	}
	if got := v.CacheText(); strings.Contains(got, "stays 0 %") || !strings.HasPrefix(got, "Hit ratio: ") {
		t.Errorf("cache line after repeats %q", got)
	}

	items, err := c.Archive().SeenItems(ctx, "MS181101ab", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || !strings.HasPrefix(items[0].IVORN, "sha256:") ||
		!strings.Contains(items[0].Text(), "MS181101ab · LVK Preliminary · igwn.gwalert (sha256:") {
		t.Fatalf("seen items for the trigger: %+v", items)
	}
	all, err := c.Archive().SeenItems(ctx, "", 50)
	if err != nil || len(all) != 2 {
		t.Fatalf("all seen items: %d, %v", len(all), err)
	}
	for _, it := range all {
		if it.Name == "" {
			t.Errorf("unnamed entry %q", it.Text())
		}
	}
}

func TestAgoText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "just now", 40 * time.Second: "40 s ago", 125 * time.Second: "2 min ago",
		3 * time.Hour: "3 h ago", 72 * time.Hour: "3 days ago",
	} {
		if got := agoText(d); got != want {
			t.Errorf("agoText(%v) = %q, want %q", d, got, want)
		}
	}
}
