package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/starling-broker/starling/app"
)

// TestEventsCustomRange archives an alert a minute from 22:51 on 30
// November to 00:30 on 1 December (UTC) and checks that an exact range
// shows exactly the alerts received inside it, rows and count.
func TestEventsCustomRange(t *testing.T) {
	u := newWindow(t)
	ctx := context.Background()
	end := time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC)
	if err := u.Core.Archive().FillSynthetic(ctx, 100, end, 100*time.Minute); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		u.Win.Resize(fyne.NewSize(1280, 800))
		u.Tabs.SelectIndex(4)
	})
	u.Events.refresh(ctx)
	all, err := u.Core.Archive().Events(ctx, app.EventFilter{HideTest: true}.Query(app.EventCursor{}, 1000))
	if err != nil || len(all) != 90 {
		t.Fatalf("%d alerts archived, %v", len(all), err)
	}
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, 30+day, h, m, 0, 0, time.UTC) } // day 0: 30 November
	inside := func(from, to time.Time) []int64 {
		var ids []int64
		for _, r := range all {
			if !r.Received.Before(from) && (to.IsZero() || r.Received.Before(to)) {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	b := u.Events.Filters
	shows := func(what string, want []int64) {
		t.Helper()
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("%s: %d alerts inside, a useless check", what, len(want))
		}
		count := thousands(int64(len(want))) + " events"
		eventually(t, what, u, func() bool {
			var ids []int64
			for _, r := range u.Events.Rows() {
				ids = append(ids, r.ID)
			}
			return slices.Equal(ids, want) && u.Events.Count.Text == count
		})
	}
	set := func(from, to string) {
		onUI(func() {
			b.From.SetText(from)
			b.To.SetText(to)
		})
	}
	onUI(func() {
		b.Range.SetSelected(customRange)
		if !b.custom.Visible() || !b.From.Visible() {
			t.Error("custom… does not show From and To")
		}
	})
	set("2026-11-30 23:00", "2026-12-01T00:00:00Z")
	shows("23:00 to midnight", inside(at(0, 23, 0), at(1, 0, 0)))
	set("2026-11-30", "2026-11-30")
	shows("a date alone: its whole UTC day", inside(at(0, 0, 0), at(1, 0, 0)))
	set("2026-12-01T01:20+01:00", "")
	shows("an offset given, no end", inside(at(1, 0, 20), time.Time{}))

	// A bad time: the words of the error, and the filter as it was.
	before := fromUI(u.Events.Filter)
	for _, c := range []struct{ to, says string }{
		{"2026-11-31", "2026-11-30 22:41"},
		{"2026-12-01 00:10", "ends before it starts"},
	} {
		onUI(func() { b.To.SetText(c.to) })
		time.Sleep(3 * searchDelay)
		onUI(func() {
			if err := b.To.Validate(); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Errorf("To %q validates as %v", c.to, err)
			}
			if !b.RangeError.Visible() || !strings.Contains(b.RangeError.Text, "To: ") || !strings.Contains(b.RangeError.Text, c.says) {
				t.Errorf("To %q: the error says %q (shown %v)", c.to, b.RangeError.Text, b.RangeError.Visible())
			}
			if f := u.Events.Filter(); !f.From.Equal(before.From) || !f.To.Equal(before.To) {
				t.Errorf("To %q applied: %v – %v", c.to, f.From, f.To)
			}
		})
		shows("the range before the bad time", inside(at(1, 0, 20), time.Time{}))
	}
	// Another filter changed meanwhile keeps the last good range.
	onUI(func() { b.Role.SetSelected("observation") })
	eventually(t, "the role applied", u, func() bool { return u.Events.Filter().Role == "observation" })
	if f := fromUI(u.Events.Filter); !f.From.Equal(before.From) || !f.To.IsZero() {
		t.Errorf("a bad To applied with the role: %v – %v", f.From, f.To)
	}
	onUI(func() { b.Role.SetSelected("any role") })

	// Saved with the range, and restored.
	onUI(func() { b.To.SetText("2026-12-01 00:25") })
	night := inside(at(1, 0, 20), at(1, 0, 25))
	shows("00:20 to 00:25", night)
	onUI(func() {
		if b.RangeError.Visible() {
			t.Errorf("the error still shows: %q", b.RangeError.Text)
		}
		b.SaveAs("night")
	})
	eventually(t, "the filter saved", u, func() bool { return slices.Contains(b.Saved.Options, "night") })
	saved, err := u.Core.Settings().EventFilters(ctx)
	if f := saved["night"]; err != nil || !f.From.Equal(at(1, 0, 20)) || !f.To.Equal(at(1, 0, 25)) {
		t.Fatalf("saved %+v, %v", f, err)
	}
	onUI(func() { b.Range.SetSelected("last 24 h") })
	eventually(t, "the preset hides the custom range", u, func() bool { return !b.custom.Visible() && u.Events.Filter().Last == 24*time.Hour })
	onUI(func() { b.Saved.SetSelected("night") })
	shows("the saved range", night)
	onUI(func() {
		if b.Range.Selected != customRange || b.From.Text != "2026-12-01 00:20" || b.To.Text != "2026-12-01 00:25" {
			t.Errorf("restored as %q: %q – %q", b.Range.Selected, b.From.Text, b.To.Text)
		}
	})
}
