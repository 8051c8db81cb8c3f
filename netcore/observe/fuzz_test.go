package observe

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/ephem"
)

// FuzzCircleSampling gives FromCircle any floats: it returns ErrInput, or
// CircleSamples finite unit vectors within the radius whose weights sum to 1.
func FuzzCircleSampling(f *testing.F) {
	f.Add(40.0, 10.0, 0.05)
	f.Add(250.0, 20.0, 30.0)
	f.Add(0.0, -90.0, 180.0)
	f.Add(359.9999, 89.9999, 1e-12)
	f.Add(math.NaN(), math.Inf(1), -0.0)
	f.Fuzz(func(t *testing.T, ra, dec, radius float64) {
		g, err := FromCircle(ra, dec, radius)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("FromCircle(%v, %v, %v): %v, not ErrInput", ra, dec, radius, err)
			}
			return
		}
		if g.Len() != CircleSamples {
			t.Fatalf("%d samples", g.Len())
		}
		c := ephem.UnitVector(ra, dec)
		var sum float64
		for i, v := range g.dirs {
			n := v.Norm()
			if !(math.Abs(n-1) < 1e-9) {
				t.Fatalf("sample %d: |v| = %v", i, n)
			}
			if d := ephem.VecSeparation(c, v); !(d <= radius*(1+1e-9)+1e-9) {
				t.Fatalf("sample %d is %v° from the centre of a %v° circle", i, d, radius)
			}
			sum += g.weights[i]
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Fatalf("weights sum to %v", sum)
		}
	})
}

// FuzzCompute gives Compute any site, limits and grid: it returns
// ErrInput, or a result whose P, P_any, Sun and Moon altitudes are finite,
// with 0 ≤ P(t) ≤ P_any ≤ 1 and a consistent best instant and window.
func FuzzCompute(f *testing.F) {
	f.Add(-29.2567, -70.73, 2400.0, 2.5, -18.0, 0.0, int64(1655769600), int64(600), int64(6*3600))
	f.Add(68.35, 18.82, 380.0, 1.0, -6.0, 30.0, int64(1640088000), int64(60), int64(600))
	f.Add(90.0, 0.0, 0.0, 1e300, 90.0, 180.0, int64(0), int64(1), int64(0))
	f.Add(math.NaN(), math.Inf(1), -1e9, 0.0, math.NaN(), -1.0, int64(-1), int64(0), int64(-5))
	region, err := FromCircle(250, 20, 30)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, lat, lon, height, airmass, sunAlt, moon float64, start, step, dur int64) {
		grid := Grid{Start: time.Unix(start, 0).UTC(), Step: time.Duration(step) * time.Second, Duration: time.Duration(dur) * time.Second}
		if n := grid.Len(); n > 200 { // keep each input fast
			return
		}
		site := Site{Name: "fuzz", Lat: lat, Lon: lon, Height: height, MaxAirmass: airmass, SunAlt: sunAlt, MoonDistance: moon}
		r, err := Compute(site, grid, region)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("%+v %+v: %v, not ErrInput", site, grid, err)
			}
			return
		}
		if len(r.P) != grid.Len() || len(r.SunAlt) != len(r.P) || len(r.MoonAlt) != len(r.P) {
			t.Fatalf("%d instants for a grid of %d", len(r.P), grid.Len())
		}
		if !(r.PAny >= 0 && r.PAny <= 1+1e-9) {
			t.Fatalf("P_any %v", r.PAny)
		}
		for k, p := range r.P {
			if !(p >= 0 && p <= r.PAny+1e-9) || math.IsNaN(r.SunAlt[k]) || math.IsNaN(r.MoonAlt[k]) ||
				math.Abs(r.SunAlt[k]) > 90 || math.Abs(r.MoonAlt[k]) > 90 {
				t.Fatalf("instant %d: P %v (P_any %v), Sun %v°, Moon %v°", k, p, r.PAny, r.SunAlt[k], r.MoonAlt[k])
			}
		}
		if (r.Best < 0) != (r.PBest == 0) || (r.Best >= 0 && (r.WindowFirst > r.Best || r.WindowLast < r.Best || r.P[r.Best] != r.PBest)) {
			t.Fatalf("best %d (P %v), window %d–%d", r.Best, r.PBest, r.WindowFirst, r.WindowLast)
		}
	})
}
