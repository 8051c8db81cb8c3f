package ephem

import (
	"math"
	"testing"
	"time"
)

func TestJulianDate(t *testing.T) {
	for _, c := range []struct {
		t  time.Time
		jd float64
	}{
		{time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC), 2451545.0},
		{time.Date(1987, 1, 27, 0, 0, 0, 0, time.UTC), 2446822.5}, // Meeus ex. 7.a
		{time.Date(1957, 10, 4, 19, 26, 24, 0, time.UTC), 2436116.31},
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 2440587.5},
		// Another zone is the same instant.
		{time.Date(2000, 1, 1, 13, 0, 0, 0, time.FixedZone("CET", 3600)), 2451545.0},
	} {
		if got := JulianDate(c.t); math.Abs(got-c.jd) > 1e-9 {
			t.Errorf("JulianDate(%v) = %.6f, want %.6f", c.t, got, c.jd)
		}
	}
	// Sub-second instants survive: 1 ms is 1.16e-8 day.
	a := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	if d := (JulianDate(a.Add(time.Millisecond)) - JulianDate(a)) * 86400; math.Abs(d-0.001) > 1e-5 {
		t.Errorf("1 ms is %v s of Julian date", d)
	}
}

func TestTTMinusUTC(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want float64
	}{
		{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), 64.184},
		{time.Date(2005, 12, 31, 23, 59, 59, 0, time.UTC), 64.184},
		{time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC), 65.184},
		{time.Date(2012, 7, 1, 0, 0, 0, 0, time.UTC), 67.184},
		{time.Date(2016, 12, 31, 0, 0, 0, 0, time.UTC), 68.184},
		{time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), 69.184},
		{time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC), 69.184},
	} {
		if got := TTMinusUTC(c.t); got != c.want {
			t.Errorf("TTMinusUTC(%v) = %v, want %v", c.t, got, c.want)
		}
	}
}

// TestMeeusExamples checks worked examples of Meeus, Astronomical
// Algorithms (2nd ed.): mean sidereal time (ex. 12.b) and the Moon's
// distance (ex. 47.a, given in TT: we step back by TT − UTC).
func TestMeeusExamples(t *testing.T) {
	tm := time.Date(1987, 4, 10, 19, 21, 0, 0, time.UTC)
	if got := GMST(tm) / rad; math.Abs(got-128.7378734) > 0.0005 {
		t.Errorf("GMST 1987-04-10 19:21 UT = %.6f°, Meeus 128.737873°", got)
	}
	tt := time.Date(1992, 4, 12, 0, 0, 0, 0, time.UTC)
	tm = tt.Add(-time.Duration(TTMinusUTC(tt) * float64(time.Second)))
	if _, _, km := Moon(tm); math.Abs(km-368409.7) > 0.5 {
		t.Errorf("Moon's distance 1992-04-12 0h TT = %.1f km, Meeus 368409.7", km)
	}
	// The apparent RA 134.688470° includes nutation in longitude (+16.595″,
	// 0.0046°), which we leave out.
	if ra, dec, _ := Moon(tm); math.Abs(ra-134.688470) > 0.01 || math.Abs(dec-13.768368) > 0.005 {
		t.Errorf("Moon 1992-04-12 0h TT at (%.6f, %.6f), Meeus (134.688470, 13.768368)", ra, dec)
	}
}

func TestAirmass(t *testing.T) {
	for _, c := range []struct {
		alt, x float64
		ok     bool
	}{
		{90, 1, true}, {30, 2, true}, {23.578, 2.5, true}, {0, 0, false}, {-10, 0, false},
		{90.5, 0, false}, {math.NaN(), 0, false}, {math.Inf(1), 0, false},
	} {
		x, ok := Airmass(c.alt)
		if ok != c.ok || math.Abs(x-c.x) > 1e-4 {
			t.Errorf("Airmass(%v) = %v, %v; want %v, %v", c.alt, x, ok, c.x, c.ok)
		}
	}
}

// TestPrecession checks that the matrix is a rotation, is the identity at
// J2000, and moves the equinox by the general precession (50.3″ a year).
func TestPrecession(t *testing.T) {
	j2000 := time.Date(2000, 1, 1, 11, 58, 55, 816000000, time.UTC) // 12h TT
	p := Precession(j2000)
	for i := range 3 {
		for j := range 3 {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(p[i][j]-want) > 1e-7 { // the 2.65″ constants cancel to 1e-9
				t.Errorf("P(J2000)[%d][%d] = %v", i, j, p[i][j])
			}
		}
	}
	p = Precession(time.Date(2050, 1, 1, 12, 0, 0, 0, time.UTC))
	if id := p.Mul(p.Transpose()); math.Abs(id[0][0]-1) > 1e-12 || math.Abs(id[0][1]) > 1e-12 {
		t.Errorf("P·Pᵀ = %v", id)
	}
	// The ecliptic pole does not move with precession (to 0.05° in 50 years).
	eclPole := UnitVector(270, 90-23.4392911)
	if d := VecSeparation(p.Apply(eclPole), eclPole); d > 0.05 {
		t.Errorf("the ecliptic pole moved %v°", d)
	}
	// The J2000 equinox moves 50 years × 50.29″ along the ecliptic.
	ra, dec := p.Apply(Vec{1, 0, 0}).RADec()
	lon := Separation(ra, dec, 0, 0) * 3600 / 50
	if math.Abs(lon-50.29) > 0.1 {
		t.Errorf("general precession %.2f″ a year, want 50.29″", lon)
	}
}
