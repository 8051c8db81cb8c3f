package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/internal/porttest"
)

// outboxWindow is a window over a core whose outbox waits an hour after a
// failure, so that only "retry now" brings an entry forward.
func outboxWindow(t *testing.T) *Window {
	t.Helper()
	a := newTestApp(t)
	dir := t.TempDir()
	u, closeAll := openAt(t, a, dir)
	if err := u.Core.Settings().Set(context.Background(), "outbox.backoff_base", "1h"); err != nil {
		t.Fatal(err)
	}
	closeAll()
	u, _ = openAt(t, a, dir)
	onUI(func() { u.Tabs.SelectIndex(2) })
	return u
}

func entryIndex(u *Window, ivorn string) int {
	for i, e := range u.Outbox.Entries() {
		if e.IVORN == ivorn {
			return i
		}
	}
	return -1
}

func TestOutboxButtonsFollowState(t *testing.T) {
	u := outboxWindow(t)
	ctx := context.Background()
	dests, _ := u.Core.Outbox().Destinations(ctx)
	local := dests[0]
	far := app.Destination{Name: "far", Address: fmt.Sprintf("127.0.0.1:%d", porttest.One(t))}
	ivorn := func(n int) string { return fmt.Sprintf("ivo://hotwired.org/gaia_demo#%d", n) }
	// #40 waits for an unreachable broker; #41 is cancelled; #42 is sent;
	// #43 is refused.
	for n, d := range map[int]app.Destination{40: far, 41: far} {
		if _, err := u.Core.Outbox().Queue(ctx, d, event(t, n, "test")); err != nil {
			t.Fatal(err)
		}
	}
	lb := startBroker(t, u)
	_ = lb
	if _, err := u.Core.Outbox().Queue(ctx, local, event(t, 42, "test")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "#42 sent", u, func() bool {
		i := entryIndex(u, ivorn(42))
		return i >= 0 && u.Outbox.Entries()[i].State == app.OutboxSent
	})
	if _, err := u.Core.Outbox().Queue(ctx, local, event(t, 42, "test")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the resend refused", u, func() bool {
		return u.Outbox.Entries()[0].State == app.OutboxRefused
	})
	refusedID := u.Outbox.Entries()[0].ID
	id41 := u.Outbox.Entries()[entryIndex(u, ivorn(41))].ID
	if err := u.Core.Outbox().Cancel(ctx, id41); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the cancel shown", u, func() bool {
		i := entryIndex(u, ivorn(41))
		return i >= 0 && u.Outbox.Entries()[i].State == app.OutboxCancelled
	})
	want := map[app.OutboxState][3]bool{ // retry, cancel, delete
		app.OutboxQueued:    {true, true, false},
		app.OutboxCancelled: {true, false, true},
		app.OutboxSent:      {false, false, true},
		app.OutboxRefused:   {true, false, true},
	}
	seen := map[app.OutboxState]bool{}
	for i, e := range u.Outbox.Entries() {
		w, ok := want[e.State]
		if !ok {
			t.Fatalf("entry %+v in an unexpected state", e)
		}
		seen[e.State] = true
		var got [3]bool
		var text string
		onUI(func() {
			u.Outbox.List.Select(i)
			got = [3]bool{!u.Outbox.RetryButton.Disabled(), !u.Outbox.CancelButton.Disabled(), !u.Outbox.DeleteButton.Disabled()}
			text = u.Outbox.Selected.Text
		})
		if got != w {
			t.Errorf("%s entry: retry/cancel/delete enabled %v, want %v", e.State, got, w)
		}
		if e.ID == refusedID && !strings.HasSuffix(text, "Previously seen by this broker") {
			t.Errorf("the refused entry's details %q lack the full reason", text)
		}
		if strings.Contains(text, "127.0.0.1:"+fmt.Sprint(u.Core.Settings().Broker(ctx).ReceivePort)) && !strings.Contains(text, "local broker (") {
			t.Errorf("the local broker is not named: %q", text)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("states seen %v", seen)
	}
}

func TestOutboxRetryNowPerDestination(t *testing.T) {
	u := outboxWindow(t)
	ctx := context.Background()
	startBroker(t, u) // starting a broker kicks the outbox: do it first
	port := porttest.One(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := u.Core.Outbox().SaveDestination(ctx, "other", addr); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Core.Outbox().Queue(ctx, app.Destination{Name: "other", Address: addr}, event(t, 50, "test")); err != nil {
		t.Fatal(err)
	}
	// Nothing listens there yet: the attempt fails and the next waits an hour.
	eventually(t, "a failed attempt", u, func() bool {
		es := u.Outbox.Entries()
		return len(es) == 1 && es[0].Attempts == 1 && es[0].State == app.OutboxQueued
	})
	other, err := app.Open(context.Background(), app.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	s := app.DefaultBrokerSettings()
	s.ReceivePort, s.BroadcastPort, s.TestInterval = port, porttest.One(t), 0
	if _, err := other.Brokers().Start(s.Config()); err != nil {
		t.Fatal(err)
	}
	name, _ := outbox.Destination(addr)
	var label string
	eventually(t, "the destination's row", u, func() bool {
		l, b := u.Outbox.DestinationRow(name)
		if l != nil {
			label = l.Text
		}
		return b != nil
	})
	if !strings.Contains(label, "other ("+name+")") || !strings.Contains(label, "1 waiting") {
		t.Errorf("destination row %q", label)
	}
	time.Sleep(200 * time.Millisecond)
	if es := u.Outbox.Entries(); es[0].State != app.OutboxQueued {
		t.Fatalf("sent before retry now: %s", es[0].State)
	}
	onUI(func() {
		_, retry := u.Outbox.DestinationRow(name)
		test.Tap(retry)
	})
	eventually(t, "the entry sent", u, func() bool {
		es := u.Outbox.Entries()
		return len(es) == 1 && es[0].State == app.OutboxSent
	})
}

// TestOutboxPanelFollowsPushes checks that the shown Outbox panel re-reads
// the outbox when the worker says it changed, without the window's refresh.
func TestOutboxPanelFollowsPushes(t *testing.T) {
	u := newWindow(t)
	onUI(func() { u.Tabs.SelectIndex(2) })
	time.Sleep(100 * time.Millisecond) // let the refresh on selecting the tab pass
	dests, _ := u.Core.Outbox().Destinations(context.Background())
	if _, err := u.Core.Outbox().Queue(context.Background(), dests[0], event(t, 60, "test")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(u.Outbox.Entries()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the panel did not hear of the new entry")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
