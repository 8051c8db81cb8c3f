package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
)

// TestBrokerDedupSubsGolden renders the Broker, Dedup and Subscriptions
// panels of a new data directory (broker off, nothing seen, no
// subscription), in light and dark.
func TestBrokerDedupSubsGolden(t *testing.T) {
	variants(t, func(t *testing.T, dark bool, name string) {
		u := goldenWindow(t, dark)
		ctx := context.Background()
		u.Broker.refresh(ctx)
		u.Dedup.refresh(ctx)
		u.Subs.refresh(ctx)
		for _, p := range []struct {
			golden  string
			content fyne.CanvasObject
		}{{"broker_", u.Broker.content}, {"dedup_", u.Dedup.content}, {"subs_", u.Subs.content}} {
			onUI(func() { p.content.Show(); p.content.Resize(goldenSize) })
			assertRenders(t, p.golden+name+".png", p.content)
		}
	})
}
