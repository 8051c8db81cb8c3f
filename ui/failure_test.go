package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/internal/porttest"
)

func TestBadPortIsNotSaved(t *testing.T) {
	u := newWindow(t)
	ctx := context.Background()
	before := u.Core.Settings().Broker(ctx)
	busy := porttest.One(t)
	l := listenOn(t, busy)
	defer l.Close()
	onUI(func() {
		u.Broker.ReceivePort.SetText(strconv.Itoa(busy))
		test.Tap(u.Broker.Toggle)
	})
	eventually(t, "an error", u, func() bool { return strings.HasPrefix(u.Broker.State.Text, "Error") })
	if after := u.Core.Settings().Broker(ctx); after.ReceivePort != before.ReceivePort {
		t.Fatalf("the port that failed to bind was saved: %d (was %d)", after.ReceivePort, before.ReceivePort)
	}
	// A port that binds is saved.
	good := porttest.One(t)
	onUI(func() {
		u.Broker.ReceivePort.SetText(strconv.Itoa(good))
		test.Tap(u.Broker.Toggle)
	})
	eventually(t, "the broker to run", u, func() bool { return strings.HasPrefix(u.Broker.State.Text, "Running") })
	if after := u.Core.Settings().Broker(ctx); after.ReceivePort != good {
		t.Fatalf("the port in use was not saved: %d, want %d", after.ReceivePort, good)
	}
}

func TestFatalWindowFitsSmallScreen(t *testing.T) {
	a := newTestApp(t)
	long := strings.Repeat("the store at /home/someone/.local/share/starling/starling.db cannot be opened because ", 20) +
		strings.Repeat("x", 400) + strings.Repeat("\nline", 80)
	w := newFatalWindow(a, errors.New(long))
	defer w.Close()
	min := w.Content().MinSize()
	if min.Width > 1280 || min.Height > 720 {
		t.Fatalf("the failure window needs %v, more than a 1280×720 screen", min)
	}
	w.Resize(fyne.NewSize(1280, 720))
	var quit bool
	for _, o := range test.LaidOutObjects(w.Content()) {
		if btn, ok := o.(*widget.Button); ok && btn.Text == "Quit" {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(btn)
			quit = pos.Y+btn.Size().Height <= 720 && btn.Size().Height > 0
		}
	}
	if !quit {
		t.Fatal("the Quit button is not visible in a 1280×720 window")
	}
}
