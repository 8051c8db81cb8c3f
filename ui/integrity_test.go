package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/store"
)

// TestStatusBarSaysTheArchiveIsDamaged: a window opened on a damaged
// archive says so, plainly, in its status bar.
func TestStatusBarSaysTheArchiveIsDamaged(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(context.Background(), dir, store.Options{NoBackfill: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FillSynthetic(context.Background(), 2000, time.Now(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(filepath.Join(dir, store.FileName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	f.WriteAt(bytes.Repeat([]byte{0xA5}, 64<<10), fi.Size()/2)
	f.Close()

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
