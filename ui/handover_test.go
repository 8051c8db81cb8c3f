package ui

import (
	"context"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/starling-broker/starling/app"
)

// TestSecondLaunchHandsItsFilesToTheWindow: over a real socket in the
// window's data directory, as Main wires it, a second launch's files open
// in the Send panel, which comes forward, as if they were dropped.
func TestSecondLaunchHandsItsFilesToTheWindow(t *testing.T) {
	u := newWindow(t)
	h, err := app.ListenHandoff(u.Core.DataDir(), func(paths []string) { fyne.Do(func() { u.HandOver(paths) }) })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	onUI(func() { u.Tabs.SelectIndex(4) })
	gone := filepath.Join(t.TempDir(), "gone.xml")
	ok, err := app.HandOff(context.Background(), u.Core.DataDir(), []string{gone})
	if !ok || err != nil {
		t.Fatalf("HandOff = %v, %v", ok, err)
	}
	ln, _ := waitLine(t, u, "gone.xml", app.SendInvalid)
	if ln.Reason == "" {
		t.Error("the missing file's line gives no reason")
	}
	var tab int
	onUI(func() { tab = u.Tabs.SelectedIndex() })
	if tab != 1 {
		t.Errorf("tab after the handoff = %d, want 1 (Send)", tab)
	}
}
