package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
)

// newWindow opens a core on a temporary data directory and builds the window
// over it with the test driver; the local broker uses free ports.
func newWindow(t *testing.T) *Window {
	t.Helper()
	a := newTestApp(t)
	core, err := app.Open(context.Background(), app.Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	s := app.DefaultBrokerSettings()
	s.ReceivePort, s.BroadcastPort = porttest.One(t), porttest.One(t)
	if err := core.Settings().SaveBroker(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	// Built on the UI goroutine, as the app builds it: the toolkit's caches
	// are shared with the windows of earlier tests still updating there.
	var u *Window
	onUI(func() { u = Create(context.Background(), a, a.NewWindow("test"), core, Options{ClockEvery: time.Hour}) })
	t.Cleanup(func() {
		u.Close()
		core.Close(context.Background())
	})
	return u
}

// eventually checks cond on the UI goroutine until it holds. It refreshes
// nothing: what the window shows must reach it by push.
func eventually(t *testing.T, what string, u *Window, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		onUI(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func startBroker(t *testing.T, u *Window) *app.LocalBroker {
	t.Helper()
	onUI(func() { test.Tap(u.Broker.Toggle) })
	eventually(t, "the broker to run", u, func() bool { return strings.HasPrefix(u.Broker.State.Text, "Running") })
	lb := u.Core.Brokers().Running()
	if lb == nil {
		t.Fatal("the panel says running but the core has no broker")
	}
	return lb
}

func TestBrokerToggle(t *testing.T) {
	u := newWindow(t)
	startBroker(t, u)
	if !strings.Contains(u.Win.Title(), "running on 127.0.0.1:") {
		t.Errorf("title %q does not show the running broker", u.Win.Title())
	}
	if !u.Broker.IVO.Disabled() {
		t.Error("settings stay editable while the broker runs")
	}
	onUI(func() { test.Tap(u.Broker.Toggle) })
	eventually(t, "the broker to stop", u, func() bool { return u.Broker.State.Text == "Stopped" })
	if u.Core.Brokers().Running() != nil {
		t.Fatal("the core still runs a broker")
	}
}

func TestBrokerPortInUse(t *testing.T) {
	u := newWindow(t)
	s := u.Core.Settings().Broker(context.Background())
	l := listenOn(t, s.ReceivePort)
	defer l.Close()
	onUI(func() { test.Tap(u.Broker.Toggle) })
	eventually(t, "an error", u, func() bool { return strings.HasPrefix(u.Broker.State.Text, "Error") })
	if !strings.Contains(u.Broker.State.Text, "in use by another program") || u.Broker.Toggle.Checked {
		t.Fatalf("state %q, toggle %v", u.Broker.State.Text, u.Broker.Toggle.Checked)
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDropFilesQueuesGoodOnes(t *testing.T) {
	u := newWindow(t)
	good, err := os.ReadFile("testdata/voevent.xml")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(good, []byte("<What>"), []byte("<Bogus/><What>"), 1)
	paths := []string{
		writeFile(t, "good.xml", good),
		writeFile(t, "bad.xml", bad),
		writeFile(t, "notxml.xml", []byte("hello")),
	}
	var uris []fyne.URI
	for _, p := range paths {
		uris = append(uris, storageURI(p))
	}
	onUI(func() { u.DropURIs(uris) })
	eventually(t, "three verdicts, all checked", u, func() bool {
		vs := u.Send.Verdicts()
		for _, v := range vs {
			if v.State == app.SendChecking {
				return false
			}
		}
		return len(vs) == 3
	})
	byName := map[string]Verdict{}
	for _, v := range u.Send.Verdicts() {
		byName[v.Name] = v
	}
	if v := byName["good.xml"]; !v.OK || !v.Queued {
		t.Errorf("good.xml: %+v", v)
	}
	if v := byName["bad.xml"]; v.OK || !strings.Contains(v.Problem, "line") || !strings.Contains(v.Problem, "Bogus") {
		t.Errorf("bad.xml: %+v", v)
	}
	if v := byName["notxml.xml"]; v.OK || !strings.Contains(strings.ToLower(v.Problem), "well-formed") {
		t.Errorf("notxml.xml: %+v", v)
	}
	onUI(func() { u.Tabs.SelectIndex(2) })
	eventually(t, "the outbox entry", u, func() bool { return len(u.Outbox.Entries()) == 1 })
	if e := u.Outbox.Entries()[0]; e.IVORN != "ivo://hotwired.org/gaia_demo#1" {
		t.Fatalf("outbox entry %+v", e)
	}
	// Turning the local broker on drains the outbox into it.
	startBroker(t, u)
	u.Core.Outbox().Kick()
	eventually(t, "the entry to be sent", u, func() bool {
		es := u.Outbox.Entries()
		return len(es) == 1 && es[0].State == "sent"
	})
}

func TestDedupCountsRefusedResend(t *testing.T) {
	u := newWindow(t)
	lb := startBroker(t, u)
	recv, _ := lb.Addresses()
	raw, _ := os.ReadFile("testdata/voevent.xml")
	ep := endpoint.Endpoint{Network: "tcp", Address: recv}
	if _, err := sender.Send(context.Background(), ep, raw, "", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := sender.Send(context.Background(), ep, raw, "", 5*time.Second); err == nil {
		t.Fatal("a resend was accepted")
	}
	onUI(func() { u.Tabs.SelectIndex(3) })
	// The cache or, when ristretto declined to keep the entry, the store
	// catches the resend: either way one refusal is counted.
	eventually(t, "the dedup panel to count the refusal", u, func() bool {
		hits := atoi(u.Dedup.CacheHits.Text) + atoi(u.Dedup.StoreHits.Text)
		return hits == 1 && u.Dedup.Entries.Text == "1" && u.Dedup.Recent.Length() == 1
	})
	onUI(func() { u.Dedup.Search.SetText("gaia") })
	eventually(t, "the search to find the entry", u, func() bool { return u.Dedup.Results.Length() == 1 })
	// The refusal says why, and the refusal list's empty-state text is gone.
	u.Dedup.mu.Lock()
	line := u.Dedup.recent[0].Text(u.Dedup.now)
	u.Dedup.mu.Unlock()
	var emptyShown bool
	onUI(func() { emptyShown = u.Dedup.NoRefusals.Visible() })
	if !strings.Contains(line, "refused ") || !strings.Contains(line, "already seen") || emptyShown {
		t.Errorf("refusal line %q (empty text shown: %v)", line, emptyShown)
	}

	// The events panel shows the received event, with its details.
	onUI(func() { u.Tabs.SelectIndex(4) })
	onUI(func() { u.Events.Filters.ShowTest.SetChecked(true) }) // the event is role=test
	eventually(t, "the event in the list", u, func() bool { return len(u.Events.Rows()) == 1 })
	onUI(func() { u.Events.List.Select(0) })
	eventually(t, "the details", u, func() bool {
		text := u.Events.Detail.Text.Text
		return strings.Contains(text, "ivo://foo.hotwired.hotwireduniverse.org/bar") &&
			strings.Contains(text, "168.4784°") && strings.Contains(u.Events.Detail.Raw.String(), "gaia_demo#1")
	})
}

func TestStatusBarFollowsPushedChanges(t *testing.T) {
	u := newWindow(t) // its clock never ticks: only pushed changes redraw
	status := func() string { return fromUI(func() string { return u.Status.Text }) }
	eventually(t, "the first status", u, func() bool { return strings.Contains(u.Status.Text, "outbox: empty") })
	far := app.Destination{Name: "far", Address: "127.0.0.1:" + strconv.Itoa(porttest.One(t))}
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "voevents", "fink-voevent", "ivo__nasa.gsfc.gcn_FermiGBM_Test_Pos_20191201T173223.00_099999_1692.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Core.Outbox().Queue(context.Background(), far, raw); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the queued event in the status bar", u, func() bool { return strings.Contains(u.Status.Text, "outbox: 1 queued") })
	startBroker(t, u)
	eventually(t, "the running broker in the status bar", u, func() bool { return strings.Contains(u.Status.Text, "● local broker on 127.0.0.1:") })
	if s := status(); !strings.Contains(s, "outbox: 1 queued") {
		t.Fatalf("status %q lost the outbox", s)
	}
}
