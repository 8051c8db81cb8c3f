package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/kafka"
)

// eventsWindow opens the window on the Events tab at a fixed size.
func eventsWindow(t *testing.T) *Window {
	t.Helper()
	u := newWindow(t)
	onUI(func() {
		u.Win.Resize(fyne.NewSize(1280, 800))
		u.Tabs.SelectIndex(4)
	})
	u.Events.refresh(context.Background())
	return u
}

// feed archives raw as a Kafka record read from topic, through the local
// broker's real Kafka path, which tells the window (push).
func feed(t testing.TB, lb *app.LocalBroker, topic string, raw []byte) {
	o, after, err := lb.KafkaHandler().Handle(context.Background(), &kafka.Record{Topic: topic, Value: raw, Time: time.Now()})
	if err != nil || o != kafka.Stored {
		t.Fatalf("record not stored: %v %v", o, err)
	}
	if after != nil {
		after()
	}
}

// gwAlert is a small LVK-shaped notice for superevent S<n>.
func gwAlert(n int, typ string) []byte {
	return fmt.Appendf(nil, `{"alert_type":%q,"time_created":"2026-11-30T22:00:00Z","superevent_id":"S%07d","urls":{"gracedb":"https://gracedb.ligo.org/superevents/S%07d/view/"},"event":{"time":"2026-11-30T21:59:40Z","far":1e-9}}`, typ, n, n)
}

// onUI runs f on the UI goroutine and returns its result.
func fromUI[T any](f func() T) (v T) {
	fyne.DoAndWait(func() { v = f() })
	return v
}

// pageToEnd scrolls the table down until every row is loaded.
func pageToEnd(t *testing.T, u *Window, want int) []app.EventRow {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		rows := fromUI(u.Events.Rows)
		if len(rows) >= want || time.Now().After(deadline) {
			return rows
		}
		onUI(func() { u.Events.List.ScrollToBottom() })
		time.Sleep(10 * time.Millisecond)
	}
}

// synthWindow is a window over a synthetic archive of n alerts.
func synthWindow(t *testing.T, n int) *Window {
	t.Helper()
	u := newWindow(t)
	if err := u.Core.Archive().FillSynthetic(context.Background(), n, time.Now(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		u.Win.Resize(fyne.NewSize(1280, 800))
		u.Tabs.SelectIndex(4)
	})
	u.Events.refresh(context.Background())
	eventually(t, "the first page", u, func() bool { return len(u.Events.Rows()) > 0 })
	return u
}

func TestEventsSortByHeaderAndPageToTheOldest(t *testing.T) {
	u := synthWindow(t, 1000)
	rows := pageToEnd(t, u, 900)
	if len(rows) != 900 || rows[len(rows)-1].ID != 2 {
		// 1000 less the 100 tests; id 1 is a test (i%20 == 0).
		t.Fatalf("%d rows, the last id %d: paging did not reach the oldest", len(rows), rows[len(rows)-1].ID)
	}
	for i, b := range u.Events.header {
		if eventColumns[i].title == "Type" {
			onUI(func() { test.Tap(b) })
		}
	}
	eventually(t, "rows by type, Z first", u, func() bool {
		r := u.Events.Rows()
		return len(r) > 0 && r[0].AlertType == "XRT position" && strings.HasSuffix(u.Events.header[3].Text, "▼")
	})
	onUI(func() { test.Tap(u.Events.header[3]) })
	eventually(t, "rows by type, A first", u, func() bool {
		r := u.Events.Rows()
		return len(r) > 0 && r[0].AlertType == "Alert" && strings.HasSuffix(u.Events.header[3].Text, "▲")
	})
	rows = pageToEnd(t, u, 900)
	for i := 1; i < len(rows); i++ {
		if rows[i].AlertType < rows[i-1].AlertType {
			t.Fatalf("row %d (%s) after %s", i, rows[i].AlertType, rows[i-1].AlertType)
		}
	}
}

func TestEventsSearchAndFilters(t *testing.T) {
	u := synthWindow(t, 2000)
	b := u.Events.Filters
	count := func(what, want string, set func()) {
		t.Helper()
		onUI(set)
		eventually(t, what+": "+want, u, func() bool { return u.Events.Count.Text == want })
	}
	count("hidden tests", "1,800 events", func() {})
	count("search", "100 events", func() { test.Type(b.Search, "Preliminary") })
	count("search with tests", "200 events", func() { b.ShowTest.SetChecked(true) })
	count("search and type", "0 events", func() { b.Type.SetText("Initial") })
	count("type", "100 events", func() { b.Search.SetText(""); b.ShowTest.SetChecked(false); b.Type.SetText("Retraction") })
	count("trigger", "0 events", func() { b.Type.SetText(""); b.Trigger.SetText("S-nothing") })
	count("source", "400 events", func() { b.Trigger.SetText(""); b.Source.SetText("gwalert") })
	count("role", "0 events", func() { b.Role.SetSelected("test") })
	count("role with tests", "100 events", func() { b.Source.SetText(""); b.ShowTest.SetChecked(true) })
	// The time range and the cone: the count the window shows is the
	// core's count of the filter it says it shows.
	trueCount := func(lo, hi int64) string {
		f := fromUI(u.Events.Filter)
		n, err := u.Core.Archive().Count(context.Background(), f.Query(app.EventCursor{}, 0))
		if err != nil || n < lo || n > hi {
			t.Fatalf("filter %+v counts %d, %v; want %d–%d", f, n, err, lo, hi)
		}
		return thousands(n) + " events"
	}
	onUI(func() {
		b.ShowTest.SetChecked(false)
		b.Role.SetSelected("any role")
		b.Range.SetSelected("last hour") // one hour of a synthetic day: 1/24 of 1800
	})
	count("time range", trueCount(70, 76), func() {})
	onUI(func() { b.Range.SetSelected("any time"); b.Cone.SetText("10 20 15") })
	count("cone", trueCount(10, 100), func() {})
}

func lvkSample(t *testing.T, name string) []byte {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "notices", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestEventsMockHiddenAndRetractionTimeline(t *testing.T) {
	u := eventsWindow(t)
	lb := startBroker(t, u)
	for _, n := range []string{"MS181101ab-preliminary.json", "MS181101ab-retraction.json", "MS181101ab-ext-update.json"} {
		feed(t, lb, "igwn.gwalert", lvkSample(t, "lvk-userguide/"+n))
	}
	eventually(t, "three mock alerts counted", u, func() bool { return u.Events.Count.Text == "0 events" })
	onUI(func() { u.Events.Filters.ShowTest.SetChecked(true) })
	eventually(t, "the mock alerts shown", u, func() bool { return len(u.Events.Rows()) == 3 })
	var prelim app.EventRow
	onUI(func() {
		for _, r := range u.Events.Rows() {
			if r.AlertType == "Preliminary" {
				prelim = r
			}
		}
		if got := roleText(prelim); got != "mock" {
			t.Errorf("role column %q, want mock", got)
		}
		u.Events.SelectEvent(prelim.ID)
	})
	d := u.Events.Detail
	eventually(t, "the timeline", u, func() bool { return len(d.Timeline.Objects) == 6 })
	onUI(func() {
		last := d.Timeline.Objects[5].(*widget.Button)
		if last.Text != "Retraction" || last.Importance != widget.DangerImportance || last.Icon == nil {
			t.Errorf("the retraction step is %q, importance %v", last.Text, last.Importance)
		}
		if !d.Banner.Visible() {
			t.Error("no retraction banner")
		}
		var links []string
		for _, o := range d.Links.Objects {
			h := o.(*widget.Hyperlink)
			links = append(links, h.Text+" "+h.URL.String())
		}
		if len(links) != 1 || links[0] != "GraceDB https://example.org/superevents/MS181101ab/view/" {
			t.Errorf("links %q", links)
		}
		if !strings.Contains(d.Raw.String(), `"superevent_id": "MS181101ab"`) {
			t.Errorf("raw text %.200q", d.Raw.String())
		}
	})
}

func TestEventsDetailsCoordinatesAndErrorUnits(t *testing.T) {
	u := eventsWindow(t)
	lb := startBroker(t, u)
	raw, err := os.ReadFile("../testdata/voevents/voevent-parse/SWIFT_bat_position_v2.0_example.xml")
	if err != nil {
		t.Fatal(err)
	}
	feed(t, lb, "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK", raw)
	eventually(t, "the event", u, func() bool { return len(u.Events.Rows()) == 1 })
	onUI(func() { u.Events.List.Select(0) })
	eventually(t, "the details", u, func() bool { return strings.Contains(u.Events.Detail.Text.Text, "Position") })
	text := fromUI(func() string { return u.Events.Detail.Title.Text + "\n" + u.Events.Detail.Text.Text })
	for _, want := range []string{"RA 04:58:57.9, Dec −09:18:49", "(74.7412°, -9.3137°)", "Error: 3′"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	onUI(func() { test.Tap(u.Events.Detail.CopyPosition) })
	if got := fyne.CurrentApp().Clipboard().Content(); got != "04:58:57.9 −09:18:49 (74.74120 -9.31370)" {
		t.Errorf("coordinates copied as %q", got)
	}
	onUI(func() { test.Tap(u.Events.Detail.CopyID) })
	row := fromUI(func() app.EventRow { return u.Events.Rows()[0] })
	if got := fyne.CurrentApp().Clipboard().Content(); got != row.Trigger || got == "" {
		t.Errorf("ID copied as %q, want the trigger %q", got, row.Trigger)
	}
	if got := fromUI(func() string { return errText(u.Events.Rows()[0]) }); got != "3′" {
		t.Errorf("error column %q", got)
	}
	if !strings.Contains(fromUI(u.Events.Detail.Raw.String), "<voe:VOEvent") {
		t.Error("no raw XML")
	}
	if n := fromUI(func() int { return len(u.Events.Detail.params) }); n < 10 {
		t.Errorf("%d params", n)
	}
}
