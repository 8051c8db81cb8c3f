// Package ephem holds the positional astronomy Starling needs to say what a
// site can observe: Julian dates, sidereal time, precession, the Sun and the
// Moon, alt-az, airmass, angular separation and galactic coordinates.
//
// The formulas are short published ones, accurate to about 0.01° (the Sun)
// and 0.05° (the Moon) over 1950–2050, which is far finer than the pixel
// scale of any sky map. Angles are in degrees unless a name says radians;
// longitude is east positive; times are time.Time (read as UTC). Positions
// of date are referred to the mean equator and equinox of date: nutation
// (≤ 17″) is left out on both sides (sidereal time and coordinates), so it
// cancels to first order in altitudes.
package ephem

import (
	"math"
	"time"
)

const (
	rad = math.Pi / 180
	// j2000 is the Julian date of J2000.0 (2000 January 1, 12h TT).
	j2000 = 2451545.0
	// unixEpochJD is the Julian date of 1970-01-01T00:00:00Z.
	unixEpochJD = 2440587.5
)

// leapSeconds is TAI − UTC (s) from each date on, for 1999–2035: no leap
// second has been announced after 2017-01-01 (IERS Bulletin C), so 37 s is
// assumed to hold to 2035. Before 1999 TAI − UTC is taken as 32 s (at most
// 22 s wrong back to 1972, 0.0001° of the Sun's motion).
var leapSeconds = []struct {
	unix   int64
	taiUTC float64
}{
	{915148800, 32},  // 1999-01-01
	{1136073600, 33}, // 2006-01-01
	{1230768000, 34}, // 2009-01-01
	{1341100800, 35}, // 2012-07-01
	{1435708800, 36}, // 2015-07-01
	{1483228800, 37}, // 2017-01-01
}

// TTMinusUTC is TT − UTC in seconds at t: 32.184 s plus TAI − UTC from the
// leap-second table (32 s before 1999, 37 s from 2017 on).
func TTMinusUTC(t time.Time) float64 {
	u := t.Unix()
	d := 32.0
	for _, l := range leapSeconds {
		if u >= l.unix {
			d = l.taiUTC
		}
	}
	return 32.184 + d
}

// JulianDate is the Julian date of t on the UTC scale (also used as UT1:
// |UT1 − UTC| < 0.9 s, 0.004° of sidereal time).
func JulianDate(t time.Time) float64 {
	sec := t.Unix()
	ns := t.Nanosecond()
	// Whole days and the fraction apart, so that nanoseconds survive.
	days := sec / 86400
	rem := sec - days*86400
	return unixEpochJD + float64(days) + (float64(rem)+float64(ns)*1e-9)/86400
}

// JulianDateTT is the Julian date of t on the TT scale.
func JulianDateTT(t time.Time) float64 {
	return JulianDate(t) + TTMinusUTC(t)/86400
}

// CenturiesTT is the number of Julian centuries of TT since J2000.0.
func CenturiesTT(t time.Time) float64 {
	return (JulianDateTT(t) - j2000) / 36525
}

// EarthRotationAngle is the IAU 2000 Earth rotation angle at t, in radians in [0, 2π).
func EarthRotationAngle(t time.Time) float64 {
	du := JulianDate(t) - j2000
	// Split the 1.0027… factor so the large whole turns drop out exactly.
	f := math.Mod(du, 1) + 0.7790572732640 + 0.00273781191135448*du
	return norm2pi(2 * math.Pi * f)
}

// GMST is the IAU 2006 Greenwich mean sidereal time at t, in radians in [0, 2π).
func GMST(t time.Time) float64 {
	tt := CenturiesTT(t)
	arcsec := 0.014506 + tt*(4612.156534+tt*(1.3915817+tt*(-0.00000044+tt*(-0.000029956+tt*-0.0000000368))))
	return norm2pi(EarthRotationAngle(t) + arcsec/3600*rad)
}

// LST is the local mean sidereal time at t for east longitude lon (degrees), in radians in [0, 2π).
func LST(t time.Time, lon float64) float64 {
	return norm2pi(GMST(t) + math.Mod(lon, 360)*rad)
}

// norm2pi reduces an angle in radians to [0, 2π) (NaN stays NaN).
func norm2pi(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	if a >= 2*math.Pi {
		a = 0
	}
	return a
}

// norm360 reduces an angle in degrees to [0, 360) (NaN stays NaN).
func norm360(a float64) float64 {
	a = math.Mod(a, 360)
	if a < 0 {
		a += 360
	}
	if a >= 360 {
		a = 0
	}
	return a
}
