package app

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/observe"
)

// observeReference is the part of netcore/observe's astroplan reference
// values (made by astroplan 0.7; see its testdata/README.md) these tests use.
type observeReference struct {
	MOC3  string        `json:"moc3"`
	StepS int           `json:"step_s"`
	Cases []observeCase `json:"cases"`
}

// observeCase is one of the reference cases: a region, a site, a start,
// and astroplan's P(t) and P_any.
type observeCase struct {
	Region       string    `json:"region"`
	Site         string    `json:"site"`
	Lat          float64   `json:"lat"`
	Lon          float64   `json:"lon"`
	Height       float64   `json:"height"`
	Start        string    `json:"start"`
	MaxAirmass   float64   `json:"max_airmass"`
	SunAlt       float64   `json:"sun_alt"`
	MoonDistance float64   `json:"moon_distance"`
	P            []float64 `json:"p"`
	PAny         float64   `json:"p_any"`
}

func loadObserveReference(t *testing.T) *observeReference {
	t.Helper()
	b, err := os.ReadFile("../netcore/observe/testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r observeReference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func openSitesCore(t *testing.T, dir string) *Core {
	t.Helper()
	c, err := Open(context.Background(), Options{DataDir: dir, RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSitesKeptAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := openSitesCore(t, dir)
	s := c.Sites()
	if _, ok, err := s.Default(ctx); ok || err != nil {
		t.Fatalf("a new data directory has a default site (%v)", err)
	}
	lasilla, _ := SitePreset("la silla")
	if _, err := s.Add(ctx, lasilla, false); err != nil {
		t.Fatal(err)
	}
	home := NewSite("Home", 52.1, -0.5, 30)
	home.MoonDistance = 30
	if _, err := s.Add(ctx, home, false); err != nil {
		t.Fatal(err)
	}
	if d, ok, _ := s.Default(ctx); !ok || d.Name != "La Silla" {
		t.Fatalf("default %q; the first site added should be", d.Name)
	}
	if err := s.SetDefault(ctx, "HOME"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Site{NewSite("", 0, 0, 0), NewSite("Bad", 91, 0, 0), {Name: "Zero airmass", SunAlt: -18}} {
		if _, err := s.Add(ctx, bad, false); err == nil {
			t.Errorf("site %+v added", bad)
		}
	}
	if err := s.SetDefault(ctx, "Nowhere"); !errors.Is(err, ErrNoSite) {
		t.Errorf("SetDefault of an unknown site: %v", err)
	}
	c.Close(ctx)

	c = openSitesCore(t, dir)
	defer c.Close(ctx)
	s = c.Sites()
	l, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Sites) != 2 || l.Default != "Home" || l.Sites[1] != home {
		t.Fatalf("after a restart: %+v", l)
	}
	// Adding a site of the same name (any case) replaces it.
	home.Height = 40
	home.Name = "home"
	if replaced, err := s.Add(ctx, home, false); err != nil || !replaced {
		t.Fatalf("replace: %v, %v", replaced, err)
	}
	if err := s.Remove(ctx, "Home"); err != nil {
		t.Fatal(err)
	}
	if d, ok, _ := s.Default(ctx); !ok || d.Name != "La Silla" {
		t.Fatalf("default after removing it: %q, %v; want the first left", d.Name, ok)
	}
	if err := s.Remove(ctx, "Home"); !errors.Is(err, ErrNoSite) {
		t.Fatalf("removing twice: %v", err)
	}
}

func TestSitePresetsAgreeWithTheReferenceSites(t *testing.T) {
	ref := loadObserveReference(t)
	checked := 0
	for _, c := range ref.Cases {
		p, ok := SitePreset(c.Site)
		if !ok {
			continue
		}
		checked++
		if p.Lat != c.Lat || p.Lon != c.Lon || p.Height != c.Height {
			t.Errorf("preset %+v; the reference values use %v %v %v", p, c.Lat, c.Lon, c.Height)
		}
	}
	if checked == 0 {
		t.Fatal("no preset among the reference sites")
	}
	for _, p := range SitePresets() {
		if err := p.Check(); err != nil {
			t.Error(err)
		}
	}
}

// An archived LVK alert's map (the user guide's MS181101ab, moc3 in the
// reference values) observed through Sites, against astroplan.
func TestSitesObserveArchivedAlertAgainstAstroplan(t *testing.T) {
	ctx := context.Background()
	c := openSitesCore(t, t.TempDir())
	defer c.Close(ctx)
	raw, err := os.ReadFile(notices + "lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	deliverKafka(t, c, raw, "igwn.gwalert")
	id, err := c.Archive().LastID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ref := loadObserveReference(t)
	s := c.Sites()
	n := 0
	for _, rc := range ref.Cases {
		if rc.Region != "moc3" {
			continue
		}
		n++
		start, _ := time.Parse(time.RFC3339, rc.Start)
		grid := observe.Grid{Start: start, Step: time.Duration(ref.StepS) * time.Second, Duration: time.Duration(ref.StepS*(len(rc.P)-1)) * time.Second}
		site := Site{Name: rc.Site, Lat: rc.Lat, Lon: rc.Lon, Height: rc.Height, MaxAirmass: rc.MaxAirmass, SunAlt: rc.SunAlt, MoonDistance: rc.MoonDistance}
		if _, err := s.Add(ctx, site, false); err != nil {
			t.Fatal(err)
		}
		r, err := s.Observe(ctx, id, rc.Site, grid)
		if err != nil {
			t.Fatal(err)
		}
		for k := range rc.P {
			if d := math.Abs(r.P[k] - rc.P[k]); d > 0.01 {
				t.Errorf("%s: P at %v is %.4f, astroplan %.4f", rc.Site, grid.Time(k), r.P[k], rc.P[k])
			}
		}
		if d := math.Abs(r.PAny - rc.PAny); d > 0.01 {
			t.Errorf("%s: P_any %.4f, astroplan %.4f", rc.Site, r.PAny, rc.PAny)
		}
		before := s.computed.Load()
		again, err := s.Observe(ctx, id, rc.Site, grid)
		if err != nil || again != r || s.computed.Load() != before {
			t.Fatalf("asked again: computed again (%d → %d) or another result (%v)", before, s.computed.Load(), err)
		}
	}
	if n == 0 {
		t.Fatal("no moc3 case in the reference values")
	}
	if _, err := s.Observe(ctx, id, "Nowhere", NextGrid(time.Now())); !errors.Is(err, ErrNoSite) {
		t.Fatalf("unknown site: %v", err)
	}
}

func TestSitesPrecomputeEachArchivedAlertForTheDefaultSite(t *testing.T) {
	ctx := context.Background()
	c := openSitesCore(t, t.TempDir())
	s := c.Sites()
	read := func(name string) []byte {
		b, err := os.ReadFile(notices + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// No site: nothing to compute, and Tonight says so.
	deliverKafka(t, c, read("gwcelery/kafka_alert_swift_noloc.json"), "gcn.notices.swift.bat.guided")
	noloc, _ := c.Archive().LastID(ctx)
	if _, ok, err := s.Tonight(ctx, noloc); ok || err != nil {
		t.Fatalf("Tonight with no site: ok %v, %v", ok, err)
	}
	lasilla, _ := SitePreset("La Silla")
	if _, err := s.Add(ctx, lasilla, true); err != nil {
		t.Fatal(err)
	}
	deliverKafka(t, c, read("lvk-userguide/MS181101ab-preliminary.json"), "igwn.gwalert")
	id, _ := c.Archive().LastID(ctx)
	cached := func() bool {
		s.results.mu.Lock()
		var keys []obsKey
		for k := range s.results.m {
			if k.id == id && k.site == lasilla.Observe() {
				keys = append(keys, k)
			}
		}
		s.results.mu.Unlock()
		for _, k := range keys {
			if done, err := s.results.done(k); done && err == nil {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(20 * time.Second)
	for !cached() {
		if time.Now().After(deadline) {
			t.Fatal("the archived alert was not computed for the default site")
		}
		time.Sleep(5 * time.Millisecond)
	}
	before := s.computed.Load()
	pct, ok, err := s.Tonight(ctx, id)
	if err != nil || !ok || pct < 0 || pct > 100 {
		t.Fatalf("Tonight: %v %v %v", pct, ok, err)
	}
	if s.computed.Load() != before && NextGrid(time.Now()) == NextGrid(time.Now().Add(-time.Second)) {
		t.Errorf("Tonight computed again what was precomputed")
	}
	// An alert with no position has nothing to observe.
	if _, ok, err := s.Tonight(ctx, noloc); ok || err != nil {
		t.Fatalf("Tonight of an alert without a position: ok %v, %v", ok, err)
	}
	if _, err := s.Observe(ctx, noloc, "La Silla", NextGrid(time.Now())); !errors.Is(err, ErrNoRegion) {
		t.Fatalf("Observe of an alert without a position: %v", err)
	}
	watching := c.Watchers()
	c.Close(ctx)
	if c.Watchers() >= watching {
		t.Errorf("%d watchers after Close, %d before: the sites' watch is not cancelled", c.Watchers(), watching)
	}
}
