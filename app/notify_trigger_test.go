package app

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// notes collects a notifier's notifications.
type notes chan Notification

// next waits for the next notification.
func (ch notes) next(t *testing.T, what string) Notification {
	t.Helper()
	select {
	case x := <-ch:
		return x
	case <-time.After(20 * time.Second):
		t.Fatalf("no notification: %s", what)
	}
	return Notification{}
}

// archive feeds a sample through the core's ingest path (the Kafka
// handler's, then its after-commit step) as read from topic.
func archive(t *testing.T, c *Core, raw []byte, topic string) {
	t.Helper()
	deliverKafka(t, c, raw, topic)
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(notices + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startNotes opens a core on dir with subscriptions and starts its notifier.
func startNotes(t *testing.T, dir string) (*Core, *Notifier, notes) {
	t.Helper()
	c, err := Open(context.Background(), Options{DataDir: dir, RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(notes, 16)
	n, err := c.StartNotifier(func(x Notification) { ch <- x }, nil)
	if err != nil {
		c.Close(context.Background())
		t.Fatal(err)
	}
	return c, n, ch
}

// A night on shift with the default rules: MS230425k's Preliminary,
// Retraction and Initial (which arrived after the retraction), read as
// GCN Kafka delivered them. The sentinels are GRB and neutrino positions,
// which the default rules notify: when one's notification comes, every
// alert before it has been considered, so "none for the Initial" is seen,
// not assumed.
func TestNotifyTriggerRetractionOnce(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.Settings().Rules()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Rules) != 3 || cfg.Rules[0].Name != "Significant GW alerts" || !cfg.Rules[1].Retraction {
		t.Fatalf("default rules of a fresh data directory: %+v", cfg.Rules)
	}
	if _, err := os.Stat(dir + "/" + notifyFile); err != nil {
		t.Fatalf("the default rules were not written where a person can see them: %v", err)
	}
	// MS230425k is a mock superevent: the user lets mocks in, as on a test rig.
	cfg.Rules[0].IncludeTest = true
	if err := c.Settings().SaveRules(cfg); err != nil {
		t.Fatal(err)
	}
	c.Close(context.Background())

	c, n, ch := startNotes(t, dir)
	archive(t, c, readSample(t, "lvk-gocart/MS230425k-preliminary.json"), "igwn.gwalert")
	live := ch.next(t, "the Preliminary")
	if live.Retracted || live.Critical || live.Rule.Name != "Significant GW alerts" || live.Title != "MOCK LVK MS230425k Preliminary" {
		t.Errorf("the Preliminary's notification: %+v", live)
	}
	archive(t, c, readSample(t, "lvk-gocart/MS230425k-retraction.json"), "igwn.gwalert")
	ret := ch.next(t, "the Retraction")
	if !ret.Retracted || !ret.Critical || ret.Rule.Name != "Retractions" || !strings.Contains(ret.Body, "RETRACTED") ||
		!strings.Contains(ret.Body, "MS230425k") || !strings.Contains(ret.Title, "MOCK") {
		t.Errorf("the Retraction's notification: %+v", ret)
	}
	initial := readSample(t, "lvk-gocart/MS230425k-initial.json")
	archive(t, c, initial, "igwn.gwalert")
	archive(t, c, readSample(t, "gcn-schema/km3net.alert.example.json"), "gcn.notices.km3net")
	if x := ch.next(t, "the KM3NeT sentinel"); x.Event.Trigger == "MS230425k" || x.Rule.Name != "GRB and neutrino positions" {
		t.Fatalf("after the retraction: %+v", x)
	}
	rows, err := c.Archive().Events(context.Background(), EventFilter{Trigger: "MS230425k"}.Query(EventCursor{}, 10))
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d alerts of MS230425k, %v", len(rows), err)
	}
	for _, r := range rows {
		if !r.TriggerRetracted {
			t.Errorf("%s of MS230425k not marked retracted", r.AlertType)
		}
	}
	tr, err := c.Archive().Trigger(context.Background(), "MS230425k")
	if err != nil || tr.Notified != NotifiedRetracted || !slices.Equal(tr.Alerts(), []string{"Preliminary", "Initial", "Retraction"}) {
		t.Errorf("trigger %+v, %v", tr, err)
	}
	n.Close()
	c.Close(context.Background())

	// After a restart, another alert of the retracted trigger says nothing.
	c, n, ch = startNotes(t, dir)
	defer c.Close(context.Background())
	defer n.Close()
	update := bytes.Replace(initial, []byte(`"alert_type": "INITIAL"`), []byte(`"alert_type": "UPDATE"`), 1)
	if bytes.Equal(update, initial) {
		t.Fatal("no alert_type in the Initial")
	}
	archive(t, c, update, "igwn.gwalert")
	archive(t, c, readSample(t, "gwcelery/kafka_alert_swift_wskymap.json"), "gcn.notices.swift.bat.guano")
	if x := ch.next(t, "the Swift sentinel"); x.Event.Trigger == "MS230425k" {
		t.Fatalf("after a restart, MS230425k notified again: %+v", x)
	}
}

// A live trigger notifies once, even across a restart, and its retraction
// is critical.
func TestNotifyTriggerLiveOnce(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Settings().SaveRules(NotifyConfig{Rules: []NotifyRule{
		{Name: "GW", Type: "LVK", IncludeTest: true}, {Name: "Retractions", Retraction: true}, {Name: "GRB", Type: "GBM, KM3NeT", Position: true}}}); err != nil {
		t.Fatal(err)
	}
	c.Close(context.Background())
	c, n, ch := startNotes(t, dir)
	archive(t, c, readSample(t, "lvk-userguide/MS181101ab-preliminary.json"), "igwn.gwalert")
	if x := ch.next(t, "the Preliminary"); x.Rule.Name != "GW" || x.Retracted {
		t.Fatalf("first: %+v", x)
	}
	archive(t, c, readSample(t, "lvk-userguide/MS181101ab-ext-update.json"), "igwn.gwalert")
	archive(t, c, readSample(t, "gcn-schema/fermi.gbm.trigger.flight1.example.json"), "gcn.notices.fermi.gbm")
	if x := ch.next(t, "the GBM sentinel"); x.Rule.Name != "GRB" {
		t.Fatalf("the Update notified again: %+v", x)
	}
	n.Close()
	c.Close(context.Background())
	c, n, ch = startNotes(t, dir)
	defer c.Close(context.Background())
	defer n.Close()
	archive(t, c, readSample(t, "lvk-userguide/MS181101ab-retraction.json"), "igwn.gwalert")
	x := ch.next(t, "the Retraction")
	if !x.Critical || x.Rule.Name != "Retractions" || !strings.Contains(x.Body, "RETRACTED") || !strings.Contains(x.Body, "MS181101ab") {
		t.Fatalf("the Retraction: %+v", x)
	}
}

// Default rules are seeded once: deleted, they stay deleted.
func TestDefaultRulesSeededOnce(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if cfg, _ := c.Settings().Rules(); len(cfg.Rules) != 3 {
		t.Fatalf("defaults: %+v", cfg.Rules)
	}
	if err := c.Settings().SaveRules(NotifyConfig{}); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := c.Settings().Rules(); len(cfg.Rules) != 0 {
		t.Fatalf("deleted rules came back: %+v", cfg.Rules)
	}
	os.Remove(dir + "/" + notifyFile)
	if cfg, _ := c.Settings().Rules(); len(cfg.Rules) != 0 {
		t.Fatalf("rules came back without their file: %+v", cfg.Rules)
	}
}
