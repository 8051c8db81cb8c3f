package observe

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/ephem"
	"github.com/starling-broker/starling/netcore/skymap"
)

func TestDefaultGridHas145Instants(t *testing.T) {
	start := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	g := DefaultGrid(start)
	if g.Len() != 145 {
		t.Fatalf("default grid has %d instants, want 145", g.Len())
	}
	if last := g.Time(g.Len() - 1); !last.Equal(start.Add(24 * time.Hour)) {
		t.Errorf("last instant %v, want start + 24 h", last)
	}
	// A duration that is not a whole number of steps stops before it.
	if n := (Grid{Start: start, Step: 7 * time.Minute, Duration: time.Hour}).Len(); n != 9 {
		t.Errorf("1 h every 7 min: %d instants, want 9", n)
	}
}

func TestBadInputIsAnError(t *testing.T) {
	good := NewSite("La Silla", -29.2567, -70.73, 2400)
	grid := DefaultGrid(time.Date(2022, 3, 20, 0, 0, 0, 0, time.UTC))
	region, err := FromCircle(150, -30, 10)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	sites := map[string]Site{}
	for name, f := range map[string]func(*Site){
		"lat NaN":         func(s *Site) { s.Lat = nan },
		"lat 91":          func(s *Site) { s.Lat = 91 },
		"lon Inf":         func(s *Site) { s.Lon = math.Inf(1) },
		"height -1e6":     func(s *Site) { s.Height = -1e6 },
		"airmass 0":       func(s *Site) { s.MaxAirmass = 0 },
		"airmass 0.5":     func(s *Site) { s.MaxAirmass = 0.5 },
		"airmass Inf":     func(s *Site) { s.MaxAirmass = math.Inf(1) },
		"sun alt NaN":     func(s *Site) { s.SunAlt = nan },
		"moon -1":         func(s *Site) { s.MoonDistance = -1 },
		"moon 181":        func(s *Site) { s.MoonDistance = 181 },
		"moon distance ∞": func(s *Site) { s.MoonDistance = math.Inf(1) },
	} {
		s := good
		f(&s)
		sites[name] = s
	}
	for name, s := range sites {
		if _, err := Compute(s, grid, region); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
	for name, g := range map[string]Grid{
		"zero step":     {Start: grid.Start, Step: 0, Duration: time.Hour},
		"negative span": {Start: grid.Start, Step: time.Minute, Duration: -time.Hour},
		"too many":      {Start: grid.Start, Step: time.Nanosecond, Duration: time.Hour},
	} {
		if _, err := Compute(good, g, region); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
	if _, err := Compute(good, grid, nil); !errors.Is(err, ErrInput) {
		t.Errorf("nil region: err = %v, want ErrInput", err)
	}
	for _, c := range [][3]float64{{nan, 0, 1}, {0, 91, 1}, {0, 0, 0}, {0, 0, -3}, {0, 0, 181}, {0, 0, nan}, {math.Inf(1), 0, 1}} {
		if _, err := FromCircle(c[0], c[1], c[2]); !errors.Is(err, ErrInput) {
			t.Errorf("FromCircle%v: err = %v, want ErrInput", c, err)
		}
	}
	if _, err := FromCompact([]byte("HPXC not a map")); !errors.Is(err, ErrInput) || !errors.Is(err, skymap.ErrCompact) {
		t.Errorf("FromCompact(garbage): err = %v, want ErrInput and skymap.ErrCompact", err)
	}
	if _, err := FromMap(&skymap.Map{Pixels: []skymap.Pixel{{Order: 0, Index: 3}}}); !errors.Is(err, ErrInput) {
		t.Errorf("FromMap(no probability): err = %v, want ErrInput", err)
	}
	if _, err := FromMap(nil); !errors.Is(err, ErrInput) {
		t.Errorf("FromMap(nil): err = %v, want ErrInput", err)
	}
}

// TestCircleSampling checks the circle's sample directions: all inside the
// radius, their weights summing to 1, and spread evenly over the disc (the
// share within r/√2 is half, as for a uniform disc), at 3′ and at 30° and
// near a pole.
func TestCircleSampling(t *testing.T) {
	for _, c := range [][3]float64{{40, 10, 0.05}, {250, 20, 30}, {10, 89.9, 5}, {0, -90, 2}, {123, 45, 180}} {
		g, err := FromCircle(c[0], c[1], c[2])
		if err != nil {
			t.Fatal(err)
		}
		var sum, inner float64
		var far float64
		n := 0
		g.Directions(func(ra, dec, w float64) {
			d := ephem.Separation(ra, dec, c[0], c[1])
			far = math.Max(far, d)
			sum += w
			// Equal area: the cap of radius ρ with 1 − cos ρ half the disc's.
			half := 2 * math.Asin(math.Sin(c[2]*math.Pi/360)/math.Sqrt2) * 180 / math.Pi
			if d < half {
				inner += w
			}
			n++
		})
		if n != CircleSamples || math.Abs(sum-1) > 1e-9 || math.Abs(g.Total()-1) > 1e-12 {
			t.Errorf("circle %v: %d samples, weights sum %v, total %v", c, n, sum, g.Total())
		}
		if far > c[2]*(1+1e-9)+1e-9 {
			t.Errorf("circle %v: a sample %v° from the centre", c, far)
		}
		if far < c[2]*0.98 {
			t.Errorf("circle %v: samples reach only %v°", c, far)
		}
		if math.Abs(inner-0.5) > 0.01 {
			t.Errorf("circle %v: %.3f of the weight in the inner half-area cap, want 0.5", c, inner)
		}
	}
}

// TestWindowAndBest checks Best, PBest and the half-best window on a real
// night: the window is a run around Best, P is at least half the best
// inside it and less just outside, and P_any is at least P at every instant.
func TestWindowAndBest(t *testing.T) {
	r := loadReference(t)
	m := readMap(t, r.MOC)
	region, err := FromMap(m)
	if err != nil {
		t.Fatal(err)
	}
	site := NewSite("Palomar", 33.3563, -116.8650, 1712)
	res, err := Compute(site, DefaultGrid(time.Date(2021, 12, 21, 12, 0, 0, 0, time.UTC)), region)
	if err != nil {
		t.Fatal(err)
	}
	if res.Best < 0 || res.PBest <= 0 {
		t.Fatalf("nothing observable from Palomar at the winter solstice: %+v", res)
	}
	for k, p := range res.P {
		if p > res.PBest || (p == res.PBest && k < res.Best) {
			t.Errorf("P[%d] = %v beats best P[%d] = %v", k, p, res.Best, res.PBest)
		}
		if p > res.PAny+1e-12 {
			t.Errorf("P[%d] = %v above P_any %v", k, p, res.PAny)
		}
		if res.SunAlt[k] > site.SunAlt && p != 0 {
			t.Errorf("P[%d] = %v with the Sun at %v°", k, p, res.SunAlt[k])
		}
	}
	if !(res.WindowFirst <= res.Best && res.Best <= res.WindowLast) {
		t.Fatalf("window %d–%d does not hold best %d", res.WindowFirst, res.WindowLast, res.Best)
	}
	for k := res.WindowFirst; k <= res.WindowLast; k++ {
		if res.P[k] < res.PBest/2 {
			t.Errorf("P[%d] = %v in the window, below half the best", k, res.P[k])
		}
	}
	if k := res.WindowFirst - 1; k >= 0 && res.P[k] >= res.PBest/2 {
		t.Errorf("window could start earlier: P[%d] = %v", k, res.P[k])
	}
	if k := res.WindowLast + 1; k < len(res.P) && res.P[k] >= res.PBest/2 {
		t.Errorf("window could end later: P[%d] = %v", k, res.P[k])
	}
	first, last, ok := res.Window()
	best, _ := res.BestTime()
	if !ok || first.After(best) || last.Before(best) || last.Sub(first) > 24*time.Hour {
		t.Errorf("window %v–%v, best %v", first, last, best)
	}
	t.Logf("Palomar 2021-12-21: best %v (%.1f %%), window %v–%v, P_any %.1f %%",
		best.Format("15:04"), 100*res.PBest, first.Format("15:04"), last.Format("15:04"), 100*res.PAny)

	// Above the Arctic circle in June there is no astronomical night:
	// nothing is observable, and the result says so.
	arctic := NewSite("Abisko", 68.35, 18.82, 380)
	res, err = Compute(arctic, DefaultGrid(time.Date(2022, 6, 21, 0, 0, 0, 0, time.UTC)), region)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := res.Window(); ok || res.Best != -1 || res.PAny != 0 || res.WindowFirst != -1 {
		t.Errorf("Abisko in June: best %d, P_any %v, window %d–%d; want nothing", res.Best, res.PAny, res.WindowFirst, res.WindowLast)
	}
	if _, ok := res.BestTime(); ok {
		t.Error("Abisko in June: BestTime ok")
	}
}

// TestMoonLimitOnlyRemoves checks that a Moon limit can only lower P, and
// that a full-sky Moon limit leaves nothing.
func TestMoonLimitOnlyRemoves(t *testing.T) {
	region, err := FromCircle(0, 0, 180)
	if err != nil {
		t.Fatal(err)
	}
	site := NewSite("La Silla", -29.2567, -70.73, 2400)
	grid := DefaultGrid(time.Date(2022, 3, 20, 0, 0, 0, 0, time.UTC))
	free, err := Compute(site, grid, region)
	if err != nil {
		t.Fatal(err)
	}
	site.MoonDistance = 60
	moon, err := Compute(site, grid, region)
	if err != nil {
		t.Fatal(err)
	}
	site.MoonDistance = 180
	none, err := Compute(site, grid, region)
	if err != nil {
		t.Fatal(err)
	}
	less := false
	for k := range free.P {
		if moon.P[k] > free.P[k] || none.P[k] != 0 {
			t.Errorf("instant %d: P %v without a Moon limit, %v with 60°, %v with 180°", k, free.P[k], moon.P[k], none.P[k])
		}
		less = less || moon.P[k] < free.P[k]
	}
	if !less {
		t.Error("a 60° Moon limit removed nothing all night")
	}
}
