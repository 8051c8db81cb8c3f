package ephem

import (
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"
)

// reference is testdata/reference.json, made by astropy 5.2.1
// (testdata/make_reference.py); the tests never run Python.
type reference struct {
	Command  string `json:"command"`
	Instants []struct {
		UTC        string  `json:"utc"`
		GMST       float64 `json:"gmst_deg"`
		ERA        float64 `json:"era_deg"`
		SunRA      float64 `json:"sun_ra"`
		SunDec     float64 `json:"sun_dec"`
		SunDistAU  float64 `json:"sun_dist_au"`
		MoonRA     float64 `json:"moon_ra"`
		MoonDec    float64 `json:"moon_dec"`
		MoonDistKm float64 `json:"moon_dist_km"`
		Sites      []struct {
			Name             string
			Lat, Lon, Height float64
			SunAlt           float64 `json:"sun_alt"`
			SunAz            float64 `json:"sun_az"`
			MoonAlt          float64 `json:"moon_alt"`
			MoonAz           float64 `json:"moon_az"`
			Targets          []struct {
				RA, Dec, Alt, Az, Secz float64
			}
		}
	}
	Galactic []struct {
		RA, Dec, L, B float64
	}
	Separations []struct {
		RA1, Dec1, RA2, Dec2, Deg float64
	}
}

func loadReference(t *testing.T) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Instants) < 12 || len(r.Galactic) == 0 || len(r.Separations) == 0 {
		t.Fatal("reference.json is missing sections")
	}
	return &r
}

func parseUTC(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// angDiff is the difference a − b of two angles in degrees, in (−180, 180].
func angDiff(a, b float64) float64 {
	d := math.Mod(a-b, 360)
	if d > 180 {
		d -= 360
	} else if d <= -180 {
		d += 360
	}
	return d
}

// worst keeps the largest absolute error seen for a quantity, to log it.
type worst map[string]float64

func (w worst) check(t *testing.T, what, where string, got, want, tol float64) {
	t.Helper()
	d := math.Abs(got - want)
	if d > w[what] {
		w[what] = d
	}
	if !(d <= tol) {
		t.Errorf("%s at %s: got %.5f, astropy %.5f (off %.4f, tolerance %g)", what, where, got, want, d, tol)
	}
}

// Tolerances against astropy: the Sun's low-precision formula is good to
// 0.01° (0.0099° seen); the Moon's truncated series to about 0.01° (0.005°
// seen); sidereal time takes UT1 = UTC (≤ 0.9 s, 0.004°); stars lack annual
// aberration (≤ 0.0057°) and nutation (≤ 0.005°), 0.008° seen.
const (
	tolGMST      = 0.005
	tolSun       = 0.015
	tolMoon      = 0.03
	tolMoonDist  = 60 // km, of 384,000: 0.0002° of parallax
	tolTarget    = 0.012
	tolSecz      = 1e-3 // relative, above 15° altitude
	tolGalactic  = 0.001
	tolSeparated = 1e-9
)

func TestEphemAgainstAstropy(t *testing.T) {
	r := loadReference(t)
	w := worst{}
	for _, in := range r.Instants {
		tm := parseUTC(t, in.UTC)
		w.check(t, "GMST", in.UTC, in.GMST+angDiff(GMST(tm)/rad, in.GMST), in.GMST, tolGMST)
		w.check(t, "ERA", in.UTC, in.ERA+angDiff(EarthRotationAngle(tm)/rad, in.ERA), in.ERA, tolGMST)
		ra, dec, au := Sun(tm)
		w.check(t, "Sun separation", in.UTC, Separation(ra, dec, in.SunRA, in.SunDec), 0, tolSun)
		w.check(t, "Sun distance (AU)", in.UTC, au, in.SunDistAU, 1e-4)
		ra, dec, km := Moon(tm)
		w.check(t, "Moon separation", in.UTC, Separation(ra, dec, in.MoonRA, in.MoonDec), 0, tolMoon)
		w.check(t, "Moon distance (km)", in.UTC, km, in.MoonDistKm, tolMoonDist)
		for _, s := range in.Sites {
			loc := Location{Lat: s.Lat, Lon: s.Lon, Height: s.Height}
			where := in.UTC + " " + s.Name
			alt, az := SunAltAz(tm, loc)
			w.check(t, "Sun altitude", where, alt, s.SunAlt, tolSun)
			if s.SunAlt < 89 && s.Lat > -89 {
				w.check(t, "Sun azimuth", where, s.SunAz+angDiff(az, s.SunAz), s.SunAz, tolSun/math.Cos(s.SunAlt*rad))
			}
			alt, az = MoonAltAz(tm, loc)
			w.check(t, "Moon altitude", where, alt, s.MoonAlt, tolMoon)
			if s.MoonAlt < 89 && s.Lat > -89 {
				w.check(t, "Moon azimuth", where, s.MoonAz+angDiff(az, s.MoonAz), s.MoonAz, tolMoon/math.Cos(s.MoonAlt*rad))
			}
			for _, g := range s.Targets {
				alt, az := AltAzICRS(g.RA, g.Dec, tm, loc)
				w.check(t, "target altitude", where, alt, g.Alt, tolTarget)
				if s.Lat > -89 {
					w.check(t, "target azimuth", where, g.Az+angDiff(az, g.Az), g.Az, tolTarget/math.Cos(g.Alt*rad))
				}
				if x, ok := Airmass(alt); ok != (g.Alt > 0) {
					t.Errorf("Airmass(%v) ok=%v, astropy's alt %v", alt, ok, g.Alt)
				} else if ok && g.Alt > 15 {
					w.check(t, "airmass", where, x, g.Secz, tolSecz*g.Secz)
				}
			}
		}
	}
	for _, g := range r.Galactic {
		l, b := EquatorialToGalactic(g.RA, g.Dec)
		w.check(t, "galactic", "", Separation(l, b, g.L, g.B), 0, tolGalactic)
		ra, dec := GalacticToEquatorial(g.L, g.B)
		w.check(t, "galactic inverse", "", Separation(ra, dec, g.RA, g.Dec), 0, tolGalactic)
	}
	for _, s := range r.Separations {
		w.check(t, "separation", "", Separation(s.RA1, s.Dec1, s.RA2, s.Dec2), s.Deg, tolSeparated)
	}
	t.Logf("largest differences from astropy: %v", map[string]float64(w))
}
