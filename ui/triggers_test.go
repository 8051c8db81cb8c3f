package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/starling-broker/starling/app"
)

// TestTriggerViewFollowsATrigger: MS230425k's Preliminary, Initial and
// Retraction arrive (its Initial after the Retraction, as it happened);
// the trigger view shows one row, RETRACTED, with its class and area; the
// alert list marks every alert of it; heartbeats change neither; the
// details show the GW card.
func TestTriggerViewFollowsATrigger(t *testing.T) {
	u := eventsWindow(t)
	lb := startBroker(t, u)
	onUI(func() { u.Events.Filters.ShowTest.SetChecked(true) }) // MS… superevents are mock
	if _, err := u.Core.Sites().Add(context.Background(), app.SitePresets()[0], true); err != nil {
		t.Fatal(err)
	}
	feed(t, lb, "igwn.gwalert", lvkSample(t, "lvk-gocart/MS230425k-preliminary.json"))
	eventually(t, "the trigger", u, func() bool { return len(u.Events.Triggers.Rows()) == 1 })
	row := fromUI(func() app.TriggerState { return u.Events.Triggers.Rows()[0] })
	if row.Trigger != "MS230425k" || row.Retracted || classText(row) == "" || triggerArea(row) == "" || triggerPosition(row) == "" {
		t.Fatalf("the trigger's row: %q class %q area %q position %q", row.Trigger, classText(row), triggerArea(row), triggerPosition(row))
	}

	for i := range 5 {
		feed(t, lb, "gcn.heartbeat", fmt.Appendf(nil, `{"alert_datetime": "2026-12-06T01:00:0%dZ"}`, i))
	}
	feed(t, lb, "igwn.gwalert", lvkSample(t, "lvk-gocart/MS230425k-retraction.json"))
	feed(t, lb, "igwn.gwalert", lvkSample(t, "lvk-gocart/MS230425k-initial.json"))
	eventually(t, "the trigger retracted, three alerts", u, func() bool {
		rows := u.Events.Triggers.Rows()
		return len(rows) == 1 && rows[0].Retracted && len(rows[0].Steps) == 3
	})
	if got := fromUI(func() string { return triggerStateText(u.Events.Triggers.Rows()[0]) }); got != "RETRACTED (3 alerts)" {
		t.Errorf("state %q", got)
	}
	eventually(t, "three alerts listed, heartbeats left out", u, func() bool { return len(u.Events.Rows()) == 3 })
	for _, r := range fromUI(u.Events.Rows) {
		if !r.TriggerRetracted {
			t.Errorf("alert %s (%s) of the retracted trigger is not marked", r.IVORN, r.AlertType)
		}
	}

	onUI(func() { u.Events.Triggers.Select("MS230425k") })
	eventually(t, "the GW card", u, func() bool { return u.Events.Detail.GW.content.Visible() })
	card := fromUI(func() string { return u.Events.Detail.GW.Classes.Text + "\n" + u.Events.Detail.GW.Lines.Text })
	for _, want := range []string{"BNS", "HasNS", "FAR 1 per", "Hz", "Instruments H1 L1", "Distance", "Mpc", "Area 50 %"} {
		if !strings.Contains(card, want) {
			t.Errorf("the GW card lacks %q:\n%s", want, card)
		}
	}
	onUI(func() { test.Tap(u.Events.Detail.CopyID) })
	if got := fyne.CurrentApp().Clipboard().Content(); got != "MS230425k" {
		t.Errorf("ID copied as %q", got)
	}

	// The default site's "obs. tonight", as the core computes it.
	latest := fromUI(func() int64 { return u.Events.Triggers.Rows()[0].LatestID })
	pct, ok, err := u.Core.Sites().Tonight(context.Background(), latest)
	if err != nil || !ok {
		t.Fatalf("tonight from the default site: %v %v", ok, err)
	}
	want := fmt.Sprintf("%.0f %%", pct)
	eventually(t, "the obs. tonight column", u, func() bool { return u.Events.Triggers.tonight["MS230425k"] == want })
}

// TestGWCardGolden renders the details of a real LVK alert with a RAVEN
// coincidence (MS230425j's Preliminary, coincident with Fermi).
func TestGWCardGolden(t *testing.T) {
	u := eventsWindow(t)
	lb := startBroker(t, u)
	onUI(func() { u.Events.Filters.ShowTest.SetChecked(true) })
	feed(t, lb, "igwn.gwalert", lvkSample(t, "lvk-gocart/MS230425j-preliminary.json"))
	eventually(t, "the trigger", u, func() bool { return len(u.Events.Triggers.Rows()) == 1 })
	onUI(func() { u.Events.Triggers.Select("MS230425j") })
	eventually(t, "the GW card", u, func() bool {
		return u.Events.Detail.GW.content.Visible() && strings.Contains(u.Events.Detail.GW.Lines.Text, "RAVEN")
	})
	if lines := fromUI(func() string { return u.Events.Detail.GW.Lines.Text }); !strings.Contains(lines, "coincident with Fermi") || !strings.Contains(lines, "−4.56 s") && !strings.Contains(lines, "-4.56 s") {
		t.Errorf("the RAVEN line:\n%s", lines)
	}
	setTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	var w fyne.Window
	onUI(func() {
		w = test.NewWindow(u.Events.Detail.GW.content) // not the received time: the golden stays
		w.Resize(fyne.NewSize(900, 300))
	})
	defer onUI(w.Close)
	onUI(func() { test.AssertRendersToImage(t, "gwcard.png", w.Canvas()) })
}
