package app

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

// circularJSON is GCN's sample Circular (gcn-schema's circulars.example.json)
// with another number, subject and eventId, as gcn.circulars carries them.
func circularJSON(t *testing.T, number int, subject, eventID string) []byte {
	t.Helper()
	raw, err := os.ReadFile(notices + "gcn-schema/circulars.example.json")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	c["circularId"], c["subject"], c["eventId"] = number, subject, eventID
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCircularsInTheTimeline archives alerts and Circulars through the
// Kafka handler (the path a gcn.circulars record takes) into a real
// SQLite archive, and checks that each trigger's details list the
// Circulars that name it, and only those.
func TestCircularsInTheTimeline(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	read := func(name string) []byte {
		raw, err := os.ReadFile(notices + name)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	deliverKafka(t, c, read("lvk-gocart/S230528ay-preliminary.json"), "igwn.gwalert")
	deliverKafka(t, c, read("gcn-schema/maxi.gsc.unknown.circle.example.json"), "gcn.notices.maxi.gsc.unknown")
	deliverKafka(t, c, read("gcn-schema/circulars.example.json"), "gcn.circulars") // GRB 230410A: neither's
	deliverKafka(t, c, circularJSON(t, 40002, "LIGO/Virgo/KAGRA S230528ay: Starling Observatory optical upper limits", "LIGO/Virgo/KAGRA S230528ay"), "gcn.circulars")
	deliverKafka(t, c, circularJSON(t, 40001, "LIGO/Virgo/KAGRA S230528ay: Identification of a GW compact binary merger candidate", "LIGO/Virgo/KAGRA S230528ay"), "gcn.circulars")
	deliverKafka(t, c, circularJSON(t, 40003, "GRB 230220A: MAXI/GSC detection", "GRB 230220A"), "gcn.circulars")
	deliverKafka(t, c, circularJSON(t, 40004, "LIGO/Virgo/KAGRA S230528ayz: not this one", ""), "gcn.circulars")

	detailOfTrigger := func(key string) EventDetail {
		t.Helper()
		st, err := c.Archive().Trigger(ctx, key)
		if err != nil {
			t.Fatalf("trigger %s: %v", key, err)
		}
		d, err := c.Archive().Detail(ctx, st.LatestID)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	numbers := func(cs []Circular) []string {
		var out []string
		for _, ci := range cs {
			out = append(out, ci.Number)
		}
		return out
	}

	lvk := detailOfTrigger("S230528ay")
	if got := numbers(lvk.Circulars); len(got) != 2 || got[0] != "40001" || got[1] != "40002" {
		t.Fatalf("S230528ay's Circulars %q, want 40001 and 40002", got)
	}
	if lvk.Circulars[1].Subject != "LIGO/Virgo/KAGRA S230528ay: Starling Observatory optical upper limits" {
		t.Errorf("subject %q", lvk.Circulars[1].Subject)
	}
	if len(lvk.Timeline) != 1 || lvk.Timeline[0].Row.AlertType == CircularType {
		t.Errorf("S230528ay's alert timeline %+v", lvk.Timeline)
	}

	// MAXI's notice names GRB 230220A (event_name); its trigger key is a number.
	maxi := detailOfTrigger("9995289617")
	if got := numbers(maxi.Circulars); len(got) != 1 || got[0] != "40003" {
		t.Fatalf("the MAXI trigger's Circulars %q, want 40003", got)
	}

	// The sample Circular's eventId made a trigger of its own: it lists
	// itself once, as a Circular, not as an alert step.
	grb := detailOfTrigger("GRB 230410A")
	if got := numbers(grb.Circulars); len(got) != 1 || got[0] != "33603" || len(grb.Timeline) != 0 {
		t.Fatalf("GRB 230410A: Circulars %q, timeline %d steps", got, len(grb.Timeline))
	}
	// Its draft takes the GRB's name; "GCN Circulars" is no mission.
	d, err := c.Archive().Draft(ctx, "GRB 230410A")
	if err != nil || d.Name != "GRB 230410A" || d.Mission != "" {
		t.Fatalf("the draft for GRB 230410A: %+v, %v", d, err)
	}
	if s, _ := d.Text(); s != "GRB 230410A: Starling Observatory optical upper limits" {
		t.Errorf("subject %q", s)
	}
}

// TestDraftsPerTrigger: a trigger's new draft is filled from its state; a
// saved draft comes back, also after the core is opened again.
func TestDraftsPerTrigger(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c, err := Open(ctx, Options{DataDir: dir, RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(notices + "lvk-gocart/S230528ay-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	deliverKafka(t, c, raw, "igwn.gwalert")
	d, err := c.Archive().Draft(ctx, "S230528ay")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "S230528ay" || d.Mission != "LVK" || d.T0.IsZero() || d.Trigger != "S230528ay" {
		t.Fatalf("new draft %+v", d)
	}
	if s, _ := d.Text(); s != "S230528ay: Starling Observatory optical upper limits" {
		t.Errorf("subject %q", s)
	}
	if _, err := c.Archive().Draft(ctx, "S000000zz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("draft of an unknown trigger: %v", err)
	}
	d.Team = "Starling Observatory 1-m"
	d.Log = append(d.Log, DraftRow{Time: d.T0.Add(90 * time.Minute).Format("2006-01-02 15:04:05"), Filter: "r", Exposure: "300", Value: "> 21.0"})
	if err := c.Archive().SaveDraft(ctx, "S230528ay", d); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)

	c, err = Open(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	got, err := c.Archive().Draft(ctx, "S230528ay")
	if err != nil {
		t.Fatal(err)
	}
	if got.Team != d.Team || len(got.Log) != 1 || got.Log[0] != d.Log[0] || !got.T0.Equal(d.T0) {
		t.Fatalf("saved draft came back as %+v", got)
	}
	all, err := c.Archive().Drafts(ctx)
	if err != nil || len(all) != 1 || all[0].Trigger != "S230528ay" {
		t.Fatalf("drafts %+v, %v", all, err)
	}
	if err := c.Archive().SaveDraft(ctx, "", d); err == nil {
		t.Error("a draft without a trigger was saved")
	}
}
