package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/apptest"
)

// TestStatusBarSaysTheArchiveIsDamaged: a window opened on a damaged
// archive says so, plainly, in its status bar.
func TestStatusBarSaysTheArchiveIsDamaged(t *testing.T) {
	dir := t.TempDir()
	apptest.Synthetic(t, dir, 2000, time.Now(), 24*time.Hour)
	apptest.Damage(t, dir, bytes.Repeat([]byte{0xA5}, 64<<10))

	a := newTestApp(t)
	core, err := app.Open(context.Background(), app.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var u *Window
	onUI(func() { u = Create(context.Background(), a, a.NewWindow("test"), core, Options{ClockEvery: time.Hour}) })
	t.Cleanup(func() {
		u.Close()
		core.Close(context.Background())
	})
	eventually(t, "the damage in the status bar", u, func() bool {
		return strings.Contains(u.Status.Text, "⚠ archive damaged") && strings.Contains(u.Status.Text, "run starling doctor")
	})
}
