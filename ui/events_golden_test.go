package ui

import (
	"context"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// variantTheme is the default theme in one variant, light or dark.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// TestEventsPanelGolden renders the Events panel over a fixed archive at a
// fixed size and time, in light and dark, with an LVK-like trigger selected.
func TestEventsPanelGolden(t *testing.T) {
	u := newWindow(t)
	end := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)
	if err := u.Core.Archive().FillSynthetic(context.Background(), 40, end, time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		v    fyne.ThemeVariant
	}{{"events_light.png", theme.VariantLight}, {"events_dark.png", theme.VariantDark}} {
		t.Run(c.name, func(t *testing.T) {
			setTheme(variantTheme{theme.DefaultTheme(), c.v})
			var p *EventsPanel
			var w fyne.Window
			onUI(func() {
				p = newEventsPanel(u)
				p.now = func() time.Time { return end.Add(time.Hour) }
				w = test.NewWindow(p.content)
				w.Resize(fyne.NewSize(1300, 760))
			})
			defer onUI(w.Close)
			p.refresh(context.Background())
			eventually(t, "the first page", u, func() bool { return len(p.Rows()) == 36 })
			onUI(func() { p.SelectEvent(p.Rows()[3].ID) }) // an LVK retraction
			eventually(t, "the timeline", u, func() bool { return len(p.Detail.Timeline.Objects) > 0 })
			onUI(func() { test.AssertRendersToImage(t, c.name, w.Canvas()) })
		})
	}
}
