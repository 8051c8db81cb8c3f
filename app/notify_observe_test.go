package app

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// A rule asking for a percentage observable from a site, on the user
// guide's mock alert (moc3 in the astroplan reference values): the rule
// whose threshold astroplan's P_any passes notifies, the one above it does
// not, and the body gives astroplan's figure and best instant.
func TestNotifierObservableRule(t *testing.T) {
	ref := loadObserveReference(t)
	var rc *observeCase
	for i := range ref.Cases {
		if c := &ref.Cases[i]; c.Region == "moc3" && c.PAny > 0.05 && c.PAny < 0.985 {
			rc = c
		}
	}
	if rc == nil {
		t.Fatal("no moc3 reference case with P_any between 5 and 98.5 %")
	}
	start, _ := time.Parse(time.RFC3339, rc.Start)
	best := 0
	for k, p := range rc.P {
		if p > rc.P[best] {
			best = k
		}
	}
	bestAt := start.Add(time.Duration(best*ref.StepS) * time.Second).Format("15:04")

	ctx := context.Background()
	c := openSitesCore(t, t.TempDir())
	defer c.Close(ctx)
	if _, err := c.Sites().Add(ctx, NewSite("Elsewhere", 0, 0, 0), true); err != nil {
		t.Fatal(err)
	}
	site := Site{Name: rc.Site, Lat: rc.Lat, Lon: rc.Lon, Height: rc.Height, MaxAirmass: rc.MaxAirmass, SunAlt: rc.SunAlt, MoonDistance: rc.MoonDistance}
	if _, err := c.Sites().Add(ctx, site, false); err != nil {
		t.Fatal(err)
	}
	pct := 100 * rc.PAny
	cfg := NotifyConfig{Rules: []NotifyRule{
		{Name: "unknown site", Type: "LVK", IncludeTest: true, Observable: 1, Site: "Atlantis"},
		{Name: "too much", Type: "LVK", IncludeTest: true, Observable: pct + 1.5, Site: strings.ToUpper(rc.Site), WithinHours: 24},
		{Name: "enough", Type: "LVK", IncludeTest: true, Observable: pct - 1.5, Site: rc.Site},
	}}
	if err := c.Settings().SaveRules(cfg); err != nil {
		t.Fatal(err)
	}
	if d := cfg.Rules[2].Describe(); !strings.Contains(d, fmt.Sprintf("observable from %s within 24 h", rc.Site)) {
		t.Errorf("Describe: %q", d)
	}
	for _, bad := range []NotifyRule{{Name: "x", Observable: 101}, {Name: "x", Observable: 10, WithinHours: -1}} {
		if err := (NotifyConfig{Rules: []NotifyRule{bad}}).Check(); err == nil {
			t.Errorf("rule %+v passes the check", bad)
		}
	}
	var mu sync.Mutex
	var got []Notification
	n, err := c.StartNotifier(func(x Notification) {
		mu.Lock()
		got = append(got, x)
		mu.Unlock()
	}, func() time.Time { return start.Add(3 * time.Minute) }) // the grid starts at the step before
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	raw, err := os.ReadFile(notices + "lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	deliverKafka(t, c, raw, "igwn.gwalert")
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		k := len(got)
		mu.Unlock()
		if k > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Rule.Name != "enough" {
		t.Fatalf("notifications %+v; want one, by the rule \"enough\"", got)
	}
	// "96 % observable from Palomar, best 04:10 UTC": the figure within a
	// point of astroplan's P_any, the best instant one where astroplan's P
	// is within a point of its best.
	var gotPct float64
	var hh, mm int
	if _, err := fmt.Sscanf(got[0].Observability, "%g %% observable from "+rc.Site+", best %d:%d UTC", &gotPct, &hh, &mm); err != nil || !strings.Contains(got[0].Body, got[0].Observability) {
		t.Fatalf("observability %q (%v), body %q", got[0].Observability, err, got[0].Body)
	}
	if d := gotPct - pct; d > 1 || d < -1 {
		t.Errorf("%q: astroplan's P_any is %.1f %%", got[0].Observability, pct)
	}
	k := int(time.Date(start.Year(), start.Month(), start.Day(), hh, mm, 0, 0, time.UTC).Sub(start) / (time.Duration(ref.StepS) * time.Second))
	if k < 0 || k >= len(rc.P) || rc.P[k] < rc.P[best]-0.01 {
		t.Errorf("%q: astroplan's P there is not within a point of its best %.4f (at %s)", got[0].Observability, rc.P[best], bestAt)
	}
}
