package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/starling-broker/starling/app"
)

func TestEventsSelectionStaysOnItsEventWhile1000Arrive(t *testing.T) {
	u := eventsWindow(t)
	lb := startBroker(t, u)
	for i := range 10 {
		feed(t, lb, "igwn.gwalert", gwAlert(i, "Preliminary"))
	}
	eventually(t, "ten rows", u, func() bool { return len(u.Events.Rows()) == 10 })
	picked := fromUI(func() app.EventRow { return u.Events.Rows()[3] })
	onUI(func() { u.Events.List.Select(3) })
	for i := 10; i < 1010; i++ {
		feed(t, lb, "igwn.gwalert", gwAlert(i, "Initial"))
	}
	eventually(t, "1,010 events counted", u, func() bool { return u.Events.Count.Text == "1,010 events" })
	onUI(func() {
		if got := u.Events.Selected(); got != picked.ID {
			t.Fatalf("selection moved from event %d to %d", picked.ID, got)
		}
		rows := u.Events.Rows()
		if rows[3].ID == picked.ID {
			t.Fatal("the table did not take the new arrivals in: a useless test")
		}
	})
	eventually(t, "the details of the picked event", u, func() bool {
		return strings.Contains(u.Events.Detail.Text.Text, picked.Trigger)
	})
}

func TestEventsNoneMissingAfterABurst(t *testing.T) {
	u := eventsWindow(t)
	lb := startBroker(t, u)
	start := time.Now()
	for i := range 400 {
		feed(t, lb, "igwn.gwalert", gwAlert(i, "Preliminary"))
		time.Sleep(time.Until(start.Add(time.Duration(i+1) * time.Millisecond)))
	}
	// No u.Refresh: the arrivals are pushed.
	deadline := time.Now().Add(10 * time.Second)
	for fromUI(func() string { return u.Events.Count.Text }) != "400 events" {
		if time.Now().After(deadline) {
			t.Fatalf("count %q after the burst", fromUI(func() string { return u.Events.Count.Text }))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The table takes the last arrivals in at its top (a reader who
	// scrolled down would be offered them instead: see the next tests).
	last := fmt.Sprintf("S%07d", 399)
	eventually(t, "the last alert at the top", u, func() bool { return u.Events.Rows()[0].Trigger == last })
	rows := pageToEnd(t, u, 400)
	ids := map[int64]bool{}
	for _, r := range rows {
		ids[r.ID] = true
	}
	if len(rows) != 400 || len(ids) != 400 {
		t.Fatalf("the table shows %d rows (%d distinct) of 400", len(rows), len(ids))
	}
}

func TestEventsScrolledDownOffersNewArrivals(t *testing.T) {
	u := synthWindow(t, 1000)
	lb := startBroker(t, u)
	eventually(t, "the count", u, func() bool { return u.Events.Count.Text == "900 events" })
	first := fromUI(func() int64 { return u.Events.Rows()[0].ID })
	onUI(func() { u.Events.List.ScrollToOffset(2000) })
	for i := range 3 {
		feed(t, lb, "igwn.gwalert", gwAlert(i, "Preliminary"))
	}
	eventually(t, "the new-arrivals button", u, func() bool {
		return u.Events.NewRows.Visible() && u.Events.NewRows.Text == "3 new ↑" && u.Events.Count.Text == "903 events"
	})
	if got := fromUI(func() int64 { return u.Events.Rows()[0].ID }); got != first {
		t.Fatalf("the rows moved under a reader scrolled down: first id %d, was %d", got, first)
	}
	onUI(func() { test.Tap(u.Events.NewRows) })
	eventually(t, "the new arrivals at the top", u, func() bool {
		r := u.Events.Rows()
		return len(r) > 0 && r[0].ID > first && !u.Events.NewRows.Visible() && u.Events.List.GetScrollOffset() == 0
	})
}

func TestEventsSavedFilter(t *testing.T) {
	u := synthWindow(t, 1000)
	b := u.Events.Filters
	onUI(func() {
		b.Type.SetText("Retraction")
		b.Cone.SetText("10 20 60")
	})
	want := fromUI(u.Events.Filter)
	onUI(func() { b.SaveAs("retractions near the Crab") })
	eventually(t, "the saved filter offered", u, func() bool { return len(b.Saved.Options) == 1 })
	onUI(func() {
		b.Type.SetText("")
		b.Cone.SetText("")
	})
	eventually(t, "all alerts", u, func() bool { return u.Events.Count.Text == "900 events" })
	onUI(func() { b.Saved.SetSelected("retractions near the Crab") })
	got := fromUI(u.Events.Filter)
	if got.Type != "Retraction" || got.Cone == nil || *got.Cone != *want.Cone || fromUI(func() string { return b.Cone.Text }) != "10 20 60" {
		t.Fatalf("applied %+v, want %+v", got, want)
	}
	n, err := u.Core.Archive().Count(context.Background(), want.Query(app.EventCursor{}, 0))
	if err != nil || n == 0 {
		t.Fatalf("the saved filter selects %d: a useless test (%v)", n, err)
	}
	eventually(t, "the saved filter's count", u, func() bool { return u.Events.Count.Text == thousands(n)+" events" })
}

func TestEventsHooksForTheSkyMap(t *testing.T) {
	u := synthWindow(t, 1000)
	var told []int64
	onUI(func() {
		u.Events.OnSelect(func(id int64) { told = append(told, id) })
		if f := u.Events.Filter(); !f.HideTest || f.Sort != app.SortReceived {
			t.Errorf("default filter %+v", f)
		}
	})
	// An event far below the rows loaded, as a click on the sky map picks it.
	onUI(func() { u.Events.SelectEvent(42) })
	eventually(t, "its details", u, func() bool { return strings.Contains(u.Events.Detail.Text.Text, "-41") })
	onUI(func() {
		if u.Events.Selected() != 42 || len(told) != 1 || told[0] != 42 {
			t.Errorf("selected %d, told %v", u.Events.Selected(), told)
		}
	})
	onUI(func() { u.Events.Filters.Trigger.SetText("1000004") })
	eventually(t, "the filter hook to follow", u, func() bool { return u.Events.Filter().Trigger == "1000004" })
}
