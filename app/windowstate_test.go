package app

import (
	"context"
	"math"
	"testing"
)

// TestWindowStateRoundTripAndBadValues: a saved state reads back as saved;
// offsets that cannot be a divider's are dropped on save, and a value set
// by hand that cannot be read leaves the defaults, with no error.
func TestWindowStateRoundTripAndBadValues(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	se := c.Settings()
	if s := se.WindowState(ctx); s.Tab != "" || s.BrokerOn || s.Selected != "" || len(s.Splits) != 0 {
		t.Fatalf("fresh state = %+v, want zero", s)
	}
	in := WindowState{Tab: "Sky map", BrokerOn: true, Selected: "gw:S230518h",
		Splits: map[string]float64{"Events.0": 0.3, "bad.nan": math.NaN(), "bad.big": 1.5}}
	if err := se.SaveWindowState(ctx, in); err != nil {
		t.Fatal(err)
	}
	out := se.WindowState(ctx)
	if out.Tab != in.Tab || !out.BrokerOn || out.Selected != in.Selected || len(out.Splits) != 1 || out.Splits["Events.0"] != 0.3 {
		t.Fatalf("read back %+v, want %+v without the bad offsets", out, in)
	}
	for _, bad := range []string{"not json", `{"Events.0": -2}`, `[1,2]`} {
		if err := c.store.SetSetting(ctx, keyWindowSplits, bad); err != nil {
			t.Fatal(err)
		}
		if s := se.WindowState(ctx); len(s.Splits) != 0 {
			t.Errorf("splits %q read as %v, want none", bad, s.Splits)
		}
	}
}
