package ui

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/internal/porttest"
)

// BenchmarkAlertArchivedToBarShown is an LVK alert with a multi-order map
// (the user guide's, 19,200 pixels) archived through the local broker's
// Kafka path → its observability bar shown in the event details, for the
// default site of three: the precomputation the archive starts, the
// details' load and the other two sites. It reports the median and the
// 99th centile.
func BenchmarkAlertArchivedToBarShown(b *testing.B) {
	a := newTestApp(b)
	ctx := context.Background()
	core, err := app.Open(ctx, app.Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	s := app.DefaultBrokerSettings()
	s.ReceivePort, s.BroadcastPort = porttest.One(b), porttest.One(b)
	core.Settings().SaveBroker(ctx, s)
	for _, name := range []string{"La Silla", "Palomar", "Siding Spring"} {
		site, _ := app.SitePreset(name)
		if _, err := core.Sites().Add(ctx, site, name == "La Silla"); err != nil {
			b.Fatal(err)
		}
	}
	var u *Window
	onUI(func() {
		w := a.NewWindow("bench")
		w.Resize(fyne.NewSize(1280, 800))
		u = Create(ctx, a, w, core, Options{ClockEvery: time.Hour})
		u.Tabs.SelectIndex(4)
	})
	defer func() { u.Close(); core.Close(ctx) }()
	onUI(func() { test.Tap(u.Broker.Toggle) })
	for u.Core.Brokers().Running() == nil {
		time.Sleep(time.Millisecond)
	}
	lb := u.Core.Brokers().Running()
	shown := func(id int64) bool {
		o := u.Events.Detail.Obs
		if o.row.ID != id || !o.box.Visible() {
			return false
		}
		for _, x := range o.box.Objects {
			if _, ok := x.(*ObsBar); ok {
				return true
			}
		}
		return false
	}
	var lat []time.Duration
	n := int(time.Now().UnixNano() % 10_000_000)
	for b.Loop() {
		n++
		_, after, err := lb.KafkaHandler().Handle(ctx, kafkaRecord(userGuideAlert(b, n)))
		if err != nil || after == nil {
			b.Fatal(err)
		}
		start := time.Now()
		after()
		id, err := core.Archive().LastID(ctx)
		if err != nil {
			b.Fatal(err)
		}
		onUI(func() { u.Events.SelectEvent(id) })
		for !fromUI(func() bool { return shown(id) }) {
			time.Sleep(200 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}
