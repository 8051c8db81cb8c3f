package ephem

import (
	"math"
	"time"
)

// meanObliquity is the IAU 2006 mean obliquity of the ecliptic at T
// (Julian centuries of TT since J2000), in radians.
func meanObliquity(T float64) float64 {
	return (84381.406 + T*(-46.836769+T*(-0.0001831+T*0.00200340))) / 3600 * rad
}

// eclipticToEquatorial is the unit vector of ecliptic (λ, β) in radians,
// turned to the equator by the obliquity eps.
func eclipticToEquatorial(lambda, beta, eps float64) Vec {
	sl, cl := math.Sincos(lambda)
	sb, cb := math.Sincos(beta)
	se, ce := math.Sincos(eps)
	x, y, z := cb*cl, cb*sl, sb
	return Vec{x, y*ce - z*se, y*se + z*ce}
}

// Sun is the Sun's apparent geocentric RA and Dec (degrees, equator and
// equinox of date) and distance (AU) at t, by the Astronomical Almanac's
// low-precision formula (good to 0.01° for 1950–2050).
func Sun(t time.Time) (ra, dec, distAU float64) {
	n := JulianDateTT(t) - j2000
	L := math.Mod(280.460+0.9856474*n, 360)
	g := math.Mod(357.528+0.9856003*n, 360) * rad
	lambda := (L + 1.915*math.Sin(g) + 0.020*math.Sin(2*g)) * rad
	eps := (23.439 - 0.0000004*n) * rad
	ra, dec = eclipticToEquatorial(lambda, 0, eps).RADec()
	return ra, dec, 1.00014 - 0.01671*math.Cos(g) - 0.00014*math.Cos(2*g)
}

// SunAltAz is the Sun's altitude and azimuth (degrees) seen from loc at t, without refraction.
func SunAltAz(t time.Time, loc Location) (alt, az float64) {
	ra, dec, _ := Sun(t)
	return AltAz(ra, dec, t, loc)
}
