package ephem

import (
	"math"
	"testing"
	"time"
)

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// FuzzAltAz feeds every numeric entry point arbitrary floats and instants
// (any int64 of Unix nanoseconds, 1678–2262): nothing panics, and finite
// input gives finite output, altitudes within ±90°, azimuths and RAs within
// [0, 360), an airmass of at least 1 only above the horizon.
func FuzzAltAz(f *testing.F) {
	f.Add(83.6331, 22.0145, -29.2567, -70.73, 2400.0, int64(1655802807000000000))
	f.Add(0.0, 90.0, 90.0, 0.0, 0.0, int64(0))
	f.Add(359.999, -90.0, -90.0, 180.0, -400.0, int64(-1))
	f.Add(1e300, -1e300, 1e300, -1e300, 1e300, int64(math.MaxInt64))
	f.Add(math.NaN(), math.Inf(1), math.Inf(-1), math.NaN(), math.Inf(1), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, ra, dec, lat, lon, height float64, ns int64) {
		tm := time.Unix(0, ns).UTC()
		loc := Location{Lat: lat, Lon: lon, Height: height}
		ok := finite(ra, dec, lat, lon, height)
		check := func(what string) func(alt, az float64) {
			return func(alt, az float64) {
				if ok && (!finite(alt, az) || alt < -90 || alt > 90 || az < 0 || az >= 360) {
					t.Fatalf("%s: alt %v az %v for ra %v dec %v at %+v, %v", what, alt, az, ra, dec, loc, tm)
				}
			}
		}
		alt, az := AltAz(ra, dec, tm, loc)
		check("AltAz")(alt, az)
		if x, up := Airmass(alt); up && (!finite(x) || x < 1-1e-12) {
			t.Fatalf("Airmass(%v) = %v", alt, x)
		} else if ok && ((alt <= 0 && up) || (alt > 1e-300 && !up)) {
			t.Fatalf("Airmass(%v) ok = %v", alt, up)
		}
		check("AltAzICRS")(AltAzICRS(ra, dec, tm, loc))
		check("SunAltAz")(SunAltAz(tm, loc))
		check("MoonAltAz")(MoonAltAz(tm, loc))
		sra, sdec, au := Sun(tm)
		mra, mdec, km := Moon(tm)
		tra, tdec, tkm := MoonTopocentric(tm, loc)
		if !finite(sra, sdec, au, mra, mdec, km, GMST(tm), EarthRotationAngle(tm)) || au < 0.98 || au > 1.02 || km < 350000 || km > 410000 {
			t.Fatalf("at %v: Sun %v %v %v, Moon %v %v %v", tm, sra, sdec, au, mra, mdec, km)
		}
		if ok && !finite(tra, tdec, tkm, LST(tm, lon)) {
			t.Fatalf("at %v from %+v: Moon %v %v %v", tm, loc, tra, tdec, tkm)
		}
		sep := Separation(ra, dec, lat, lon)
		l, b := EquatorialToGalactic(ra, dec)
		gra, gdec := GalacticToEquatorial(ra, dec)
		if ok && (!finite(sep, l, b, gra, gdec) || sep < 0 || sep > 180 || l < 0 || l >= 360 || math.Abs(b) > 90 || gra < 0 || gra >= 360 || math.Abs(gdec) > 90) {
			t.Fatalf("separation %v, galactic (%v, %v), equatorial (%v, %v)", sep, l, b, gra, gdec)
		}
	})
}
