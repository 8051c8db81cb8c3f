package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/outbox"
)

// goldenSize is the fixed size panels are rendered at.
var goldenSize = fyne.NewSize(820, 560)

// goldenWindow is a window over a new core with fixed ports (the broker is
// not started), in the light or dark theme.
func goldenWindow(t *testing.T, dark bool) *Window {
	t.Helper()
	a := newTestApp(t)
	if dark {
		setTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	} else {
		setTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	}
	core, err := app.Open(context.Background(), app.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s := app.DefaultBrokerSettings()
	s.ReceivePort, s.BroadcastPort = 18098, 18099
	if err := core.Settings().SaveBroker(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	var u *Window
	onUI(func() {
		u = Create(context.Background(), a, a.NewWindow("golden"), core, Options{ClockEvery: time.Hour})
	})
	t.Cleanup(func() { u.Close(); core.Close(context.Background()) })
	return u
}

func at(h, m, s int) time.Time { return time.Date(2026, 11, 30, h, m, s, 0, time.Local) }

func variants(t *testing.T, f func(t *testing.T, dark bool, name string)) {
	t.Run("light", func(t *testing.T) { f(t, false, "light") })
	t.Run("dark", func(t *testing.T) { f(t, true, "dark") })
}

func TestSendPanelGolden(t *testing.T) {
	variants(t, func(t *testing.T, dark bool, name string) {
		u := goldenWindow(t, dark)
		u.Send.refresh(context.Background())
		local := "local broker (127.0.0.1:18098)"
		lines := []app.SendLine{
			{Key: 901, Name: "good.xml", IVORN: "ivo://hotwired.org/gaia_demo#1", Role: "test", Destination: local, EntryID: 1, State: app.SendAcked, Time: at(22, 41, 7)},
			{Key: 902, Name: "again.xml", IVORN: "ivo://hotwired.org/gaia_demo#7", Role: "test", Destination: local, EntryID: 2, State: app.SendRefused, Reason: "Previously seen by this broker", Time: at(22, 41, 9)},
			{Key: 903, Name: "bad.xml", State: app.SendInvalid, Reason: "line 4: Element 'Bogus': This element is not expected. Expected is one of ( Who, What, WhereWhen, How, Why, Citations, Description, Reference ).", Time: at(22, 41, 10)},
			{Key: 904, Name: "later.xml", IVORN: "ivo://hotwired.org/gaia_demo#8", Role: "test", Destination: local, EntryID: 3, State: app.SendQueued, Reason: "connection refused", Time: at(22, 41, 12)},
			{Key: 905, Name: "real.xml", IVORN: "ivo://hotwired.org/gaia_demo#9", Role: "observation", Destination: "4pisky (voevent.example.org:8098)", State: app.SendDeclined, Reason: "you declined to send it", Time: at(22, 41, 15)},
		}
		onUI(func() {
			u.Send.content.Show()
			for _, ln := range lines {
				u.Send.show(ln)
			}
			u.Send.content.Resize(goldenSize)
		})
		assertRenders(t, "send_"+name+".png", u.Send.content)
	})
}

func TestOutboxPanelGolden(t *testing.T) {
	variants(t, func(t *testing.T, dark bool, name string) {
		u := goldenWindow(t, dark)
		local, _ := outbox.Destination("127.0.0.1:18098")
		far, _ := outbox.Destination("voevent.example.org:8098")
		p := u.Outbox
		p.mu.Lock()
		p.names = map[string]string{local: app.LocalDestinationName, far: "4pisky"}
		p.entries = []app.OutboxEntry{
			{ID: 4, Destination: far, IVORN: "ivo://hotwired.org/gaia_demo#9", State: app.OutboxQueued, Attempts: 3, LastError: "dial tcp: connection refused"},
			{ID: 3, Destination: local, IVORN: "ivo://hotwired.org/gaia_demo#8", State: app.OutboxCancelled, Attempts: 1},
			{ID: 2, Destination: local, IVORN: "ivo://hotwired.org/gaia_demo#7", State: app.OutboxRefused, Attempts: 1, LastError: "Previously seen by this broker"},
			{ID: 1, Destination: local, IVORN: "ivo://hotwired.org/gaia_demo#1", State: app.OutboxSent, Attempts: 1},
		}
		p.mu.Unlock()
		onUI(func() {
			p.content.Show()
			p.content.Resize(goldenSize)
			p.showDestinations([]outbox.DestinationState{{Name: far, Queued: 1, LastError: "dial tcp: connection refused"}})
			p.List.Refresh()
			p.List.Select(2)
			p.content.Resize(goldenSize)
			p.content.Refresh()
		})
		var retry, cancel, del bool
		onUI(func() {
			retry, cancel, del = !p.RetryButton.Disabled(), !p.CancelButton.Disabled(), !p.DeleteButton.Disabled()
		})
		if !retry || cancel || !del {
			t.Errorf("refused entry: retry %v cancel %v delete %v", retry, cancel, del)
		}
		assertRenders(t, "outbox_"+name+".png", p.content)
	})
}

// assertRenders renders o alone in a window of goldenSize, laid out twice so
// that wrapped labels settle at their width, and compares it with the golden.
func assertRenders(t *testing.T, golden string, o fyne.CanvasObject) {
	t.Helper()
	onUI(func() {
		w := test.NewWindow(o)
		w.SetPadded(false)
		w.Resize(goldenSize.AddWidthHeight(-1, -1))
		w.Resize(goldenSize)
		test.AssertRendersToImage(t, golden, w.Canvas())
		w.Close()
	})
}
