package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
)

// openAt builds the window over a core on dir; close (also run at cleanup)
// closes both, once. Broker ports are set only on a new data directory.
func openAt(t *testing.T, a fyne.App, dir string) (*Window, func()) {
	t.Helper()
	core, err := app.Open(context.Background(), app.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if s := core.Settings().Broker(ctx); s.ReceivePort == app.DefaultBrokerSettings().ReceivePort {
		s.ReceivePort, s.BroadcastPort, s.TestInterval = porttest.One(t), porttest.One(t), 0
		if err := core.Settings().SaveBroker(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var u *Window
	onUI(func() { u = Create(context.Background(), a, a.NewWindow("test"), core, Options{ClockEvery: time.Hour}) })
	var once sync.Once
	closeAll := func() { once.Do(func() { u.Close(); core.Close(context.Background()) }) }
	t.Cleanup(closeAll)
	return u, closeAll
}

// event is the test event with another IVORN and role.
func event(t *testing.T, n int, role string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/voevent.xml")
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte("gaia_demo#1"), []byte(fmt.Sprintf("gaia_demo#%d", n)))
	return bytes.Replace(raw, []byte(`role="test"`), []byte(`role="`+role+`"`), 1)
}

// lineOf is the panel's line for file name, and its row.
func lineOf(u *Window, name string) (app.SendLine, *sendRow) {
	for _, v := range u.Send.Verdicts() {
		if v.Name == name {
			return v.SendLine, u.Send.rows[v.Key]
		}
	}
	return app.SendLine{}, nil
}

func waitLine(t *testing.T, u *Window, name string, state app.SendState) (app.SendLine, *sendRow) {
	t.Helper()
	var ln app.SendLine
	var row *sendRow
	eventually(t, name+" "+string(state), u, func() bool {
		ln, row = lineOf(u, name)
		return ln.State == state && row != nil
	})
	return ln, row
}

func drop(u *Window, paths ...string) {
	var uris []fyne.URI
	for _, p := range paths {
		uris = append(uris, storageURI(p))
	}
	onUI(func() { u.DropURIs(uris) })
}

func TestSendLineShowsNak(t *testing.T) {
	u := newWindow(t)
	lb := startBroker(t, u)
	recv, _ := lb.Addresses()
	raw := event(t, 7, "test")
	if _, err := sender.Send(context.Background(), endpoint.Endpoint{Network: "tcp", Address: recv}, raw, "", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	drop(u, writeFile(t, "again.xml", raw))
	_, row := waitLine(t, u, "again.xml", app.SendRefused)
	var text string
	var icon fyne.Resource
	var imp widget.Importance
	onUI(func() { text, icon, imp = row.Text.Text, row.Icon.Resource, row.Text.Importance })
	if !strings.Contains(text, "refused: ") || !strings.HasSuffix(text, "Previously seen by this broker") {
		t.Errorf("line %q does not end with the nak", text)
	}
	if icon.Name() != theme.NewErrorThemedResource(theme.ErrorIcon()).Name() || imp != widget.DangerImportance {
		t.Errorf("icon %q, importance %v: not the error look", icon.Name(), imp)
	}
}

func TestSendLineFollowsTheEntry(t *testing.T) {
	u := newWindow(t)
	startBroker(t, u)
	var mu sync.Mutex
	var states []app.SendState
	onUI(func() {
		u.Send.shown = func(ln app.SendLine) {
			if ln.Name == "live.xml" {
				mu.Lock()
				if len(states) == 0 || states[len(states)-1] != ln.State {
					states = append(states, ln.State)
				}
				mu.Unlock()
			}
		}
	})
	drop(u, writeFile(t, "live.xml", event(t, 8, "test")))
	_, row := waitLine(t, u, "live.xml", app.SendAcked)
	mu.Lock()
	got := fmt.Sprint(states)
	mu.Unlock()
	if !strings.HasPrefix(got, "[checking queued") || !strings.HasSuffix(got, "acked]") {
		t.Errorf("states %s, want checking → queued → … → acked", got)
	}
	var icon fyne.Resource
	onUI(func() { icon = row.Icon.Resource })
	if icon.Name() != theme.NewSuccessThemedResource(theme.ConfirmIcon()).Name() {
		t.Errorf("acked line's icon is %q", icon.Name())
	}
}

func TestPastedXMLSurvivesRefusalAndRestart(t *testing.T) {
	a := newTestApp(t)
	dir := t.TempDir()
	u, closeAll := openAt(t, a, dir)
	raw := event(t, 9, "test")
	lb := startBroker(t, u)
	recv, _ := lb.Addresses()
	if _, err := sender.Send(context.Background(), endpoint.Endpoint{Network: "tcp", Address: recv}, raw, "", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	onUI(func() { u.Send.Paste.SetText(string(raw)); test.Tap(u.Send.PasteButton) })
	waitLine(t, u, "pasted XML", app.SendRefused)
	var kept string
	onUI(func() { kept = u.Send.Paste.Text })
	if kept != string(raw) {
		t.Fatal("the refused paste was cleared from the entry")
	}
	closeAll()

	u, _ = openAt(t, a, dir)
	eventually(t, "the draft back in the entry", u, func() bool { return u.Send.Paste.Text == string(raw) })
	waitLine(t, u, "pasted XML", app.SendRefused)

	// Once a paste is acked it goes, from the entry and the data directory.
	// The broker was on at the last close, so the window started it again.
	eventually(t, "the broker, on at the last close, to run", u, func() bool { return strings.HasPrefix(u.Broker.State.Text, "Running") })
	fresh := string(event(t, 10, "test"))
	onUI(func() { u.Send.Paste.SetText(fresh); test.Tap(u.Send.PasteButton) })
	waitLine(t, u, "pasted XML", app.SendAcked)
	eventually(t, "the entry to empty", u, func() bool { return u.Send.Paste.Text == "" })
	if d := u.Core.Sends().PasteDraft(); d != "" {
		t.Errorf("the draft stays after it was sent: %d bytes", len(d))
	}
}

// overlayText is every text shown in the window's top overlay, and its buttons.
func overlayText(w fyne.Window) (string, map[string]*widget.Button) {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return "", nil
	}
	var b strings.Builder
	buttons := map[string]*widget.Button{}
	for _, o := range test.LaidOutObjects(top) {
		switch x := o.(type) {
		case *canvas.Text:
			b.WriteString(x.Text + " ")
		case *widget.Button:
			buttons[x.Text] = x
		}
	}
	return b.String(), buttons
}

func TestOneConfirmationForRemote(t *testing.T) {
	u := newWindow(t)
	far := fmt.Sprintf("127.0.0.1:%d", porttest.One(t))
	if err := u.Core.Outbox().SaveDestination(context.Background(), "far", far); err != nil {
		t.Fatal(err)
	}
	u.Send.refresh(context.Background())
	onUI(func() { u.Send.Destination.SetSelected("far (" + far + ")") })
	var paths []string
	for i := 1; i <= 3; i++ {
		paths = append(paths, writeFile(t, fmt.Sprintf("real%d.xml", i), event(t, 20+i, "observation")))
	}
	drop(u, paths...)
	var text string
	var buttons map[string]*widget.Button
	eventually(t, "the confirmation", u, func() bool {
		text, buttons = overlayText(u.Win)
		return buttons["Cancel"] != nil
	})
	if !strings.Contains(text, "Send all 3 non-test events to far ("+far+")?") {
		t.Errorf("confirmation says %q", text)
	}
	onUI(func() { test.Tap(buttons["Cancel"]) })
	for i := 1; i <= 3; i++ {
		waitLine(t, u, fmt.Sprintf("real%d.xml", i), app.SendDeclined)
	}
	if es, _ := u.Core.Outbox().List(context.Background(), "", 10); len(es) != 0 {
		t.Errorf("cancelling queued %d entries", len(es))
	}
	if text, _ := overlayText(u.Win); text != "" {
		t.Errorf("a second confirmation: %q", text)
	}
}

func TestSendHistoryAndDestinationSurviveRestart(t *testing.T) {
	a := newTestApp(t)
	dir := t.TempDir()
	u, closeAll := openAt(t, a, dir)
	far := fmt.Sprintf("127.0.0.1:%d", porttest.One(t))
	if err := u.Core.Outbox().SaveDestination(context.Background(), "far", far); err != nil {
		t.Fatal(err)
	}
	u.Send.refresh(context.Background())
	label := "far (" + far + ")"
	onUI(func() { u.Send.Destination.SetSelected(label) })
	drop(u, writeFile(t, "kept.xml", event(t, 30, "test")))
	before, _ := waitLine(t, u, "kept.xml", app.SendQueued)
	eventually(t, "the choice saved", u, func() bool { return u.Core.Sends().LastDestination(context.Background()) == label })
	closeAll()

	u, _ = openAt(t, a, dir)
	u.Send.refresh(context.Background())
	var sel string
	onUI(func() { sel = u.Send.Destination.Selected })
	if sel != label {
		t.Errorf("destination after restart %q, want %q", sel, label)
	}
	var after app.SendLine
	var row *sendRow
	onUI(func() { after, row = lineOf(u, "kept.xml") })
	if row == nil || after.IVORN != before.IVORN || after.Destination != label || after.EntryID != before.EntryID {
		t.Fatalf("line after restart %+v, before %+v", after, before)
	}
}

func TestPasteDraftKeptWhileEditing(t *testing.T) {
	a := newTestApp(t)
	dir := t.TempDir()
	u, closeAll := openAt(t, a, dir)
	onUI(func() { test.Type(u.Send.Paste, "<voe:VOEvent half typed") })
	eventually(t, "the draft saved", u, func() bool { return u.Core.Sends().PasteDraft() == "<voe:VOEvent half typed" })
	closeAll()
	u, _ = openAt(t, a, dir)
	eventually(t, "the draft back", u, func() bool { return u.Send.Paste.Text == "<voe:VOEvent half typed" })
}
