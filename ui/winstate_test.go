package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/internal/porttest"
)

// openWindowOn opens a core over dir and builds a window of 1000×640 on it,
// as the app does; closing closes the window, then the core.
func openWindowOn(t *testing.T, dir string) (u *Window, closing func()) {
	t.Helper()
	a := newTestApp(t)
	core, err := app.Open(context.Background(), app.Options{DataDir: dir, RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() {
		w := a.NewWindow("state")
		u = Create(context.Background(), a, w, core, Options{ClockEvery: time.Hour})
		w.Resize(fyne.NewSize(1000, 640))
	})
	var once bool
	closing = func() {
		if once {
			return
		}
		once = true
		u.Close()
		core.Close(context.Background())
	}
	t.Cleanup(closing)
	return u, closing
}

// dragSplit drags s's divider by dy pixels, as the mouse does.
func dragSplit(s *container.Split, dy float32) {
	d := test.WidgetRenderer(s).Objects()[1].(fyne.Draggable)
	d.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(10, 2)}, Dragged: fyne.NewDelta(0, dy)})
	d.DragEnd()
}

// TestWindowKeepsItsStateAcrossRestarts: the tab, a divider moved by a drag,
// the local broker's switch and the selected trigger set in one window are
// what a second window over the same data directory (a new core) opens
// with; the divider is saved while the first window is still open.
func TestWindowKeepsItsStateAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	{
		core, err := app.Open(context.Background(), app.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		s := app.DefaultBrokerSettings()
		s.ReceivePort, s.BroadcastPort = porttest.One(t), porttest.One(t)
		if err := core.Settings().SaveBroker(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		core.Close(context.Background())
	}

	u, closing := openWindowOn(t, dir)
	const name = "Subscriptions.0"
	var split *container.Split
	var before, after float64
	onUI(func() {
		for _, n := range []string{"Dedup.0", "Subscriptions.0", "Sky map.0"} {
			if u.Splits()[n] == nil {
				t.Errorf("no divider %s among %v", n, u.Splits())
			}
		}
		split = u.Splits()[name]
		if split == nil {
			t.Fatalf("no divider %s among %v", name, u.Splits())
		}
		u.Tabs.SelectIndex(5) // Subscriptions: its divider is laid out
		before = split.Offset
		dragSplit(split, 150)
		after = split.Offset
	})
	if after <= before {
		t.Fatalf("the drag did not move the divider: offset %v, then %v", before, after)
	}
	// Saved, debounced, while the window is open.
	deadline := time.Now().Add(10 * time.Second)
	for u.Core.Settings().WindowState(context.Background()).Splits[name] != after {
		if time.Now().After(deadline) {
			t.Fatalf("divider offset %v not saved while the window is open; saved: %v", after, u.Core.Settings().WindowState(context.Background()).Splits)
		}
		time.Sleep(20 * time.Millisecond)
	}
	onUI(func() {
		u.Tabs.SelectIndex(3) // Dedup
		u.Broker.SetRunning(true)
		u.Events.Filters.ShowTest.SetChecked(true)
	})
	for deadline := time.Now().Add(10 * time.Second); u.Core.Brokers().Running() == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the local broker did not start")
		}
	}
	u.KeepSelected("gw:S230518h")
	closing()

	u2, _ := openWindowOn(t, dir)
	var tab string
	var off float64
	onUI(func() {
		tab = u2.Tabs.Selected().Text
		off = u2.Splits()[name].Offset
	})
	if tab != "Dedup" {
		t.Errorf("tab at launch = %q, want Dedup", tab)
	}
	if off != after {
		t.Errorf("divider %s at launch = %v, want %v (the default is %v)", name, off, after, before)
	}
	if got := u2.Kept().Selected; got != "gw:S230518h" {
		t.Errorf("selected trigger at launch = %q, want gw:S230518h", got)
	}
	if shown, hidden := fromUI(func() bool { return u2.Events.Filters.ShowTest.Checked }), fromUI(func() bool { return u2.Events.Filter().HideTest }); !shown || hidden {
		t.Errorf("test/mock at launch: box ticked %v, tests hidden %v; want them shown, as left", shown, hidden)
	}
	for deadline := time.Now().Add(10 * time.Second); u2.Core.Brokers().Running() == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the local broker, on at the last close, was not started at launch")
		}
	}
}

// TestWindowStateBrokerOffStaysOff: a broker switched off before the close
// is not started at the next launch, and the first tab is the default.
func TestWindowStateBrokerOffStaysOff(t *testing.T) {
	dir := t.TempDir()
	u, closing := openWindowOn(t, dir)
	closing()
	u2, _ := openWindowOn(t, dir)
	var tab string
	var on bool
	onUI(func() { tab, on = u2.Tabs.Selected().Text, u2.Broker.Toggle.Checked })
	if tab != "Broker" {
		t.Errorf("tab at first launch = %q, want Broker", tab)
	}
	// A start sets the switch at once, in Create.
	if on || u2.Core.Brokers().Running() != nil || u.Kept().BrokerOn {
		t.Error("the local broker was started though it was off at the last close")
	}
}
