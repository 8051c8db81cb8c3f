package ephem

import (
	"math"
	"time"
)

// Precession is the IAU 2006 precession matrix (Capitaine et al. 2003,
// angles ζA, zA, θA) from ICRS/J2000 to the mean equator and equinox of t.
// The 23-mas frame bias between ICRS and J2000 is left out.
func Precession(t time.Time) Mat {
	T := CenturiesTT(t)
	as := rad / 3600
	zeta := (2.650545 + T*(2306.083227+T*(0.2988499+T*(0.01801828+T*(-0.000005971+T*-0.0000003173))))) * as
	z := (-2.650545 + T*(2306.077181+T*(1.0927348+T*(0.01826837+T*(-0.000028596+T*-0.0000002904))))) * as
	theta := T * (2004.191903 + T*(-0.4294934+T*(-0.04182264+T*(-0.000007089+T*-0.0000001274)))) * as
	return rotZ(-z).Mul(rotY(theta)).Mul(rotZ(-zeta))
}

// Location is a place on the Earth: geodetic latitude and east longitude in
// degrees, height above the WGS84 ellipsoid in metres.
type Location struct {
	// Lat is the geodetic latitude in degrees, north positive.
	Lat float64
	// Lon is the longitude in degrees, east positive.
	Lon float64
	// Height is the height above the ellipsoid in metres.
	Height float64
}

// EquatorialToHorizon is the matrix from the mean equator of date to the
// horizon frame of loc at t: x south, y east, z zenith.
func EquatorialToHorizon(t time.Time, loc Location) Mat {
	// rotZ(LST) puts the meridian on x (y = −cos δ sin H); rotY(90° − φ)
	// then tips the zenith onto z.
	return rotY((90 - loc.Lat) * rad).Mul(rotZ(LST(t, loc.Lon)))
}

// HorizonAltAz is the altitude and azimuth (from north through east) in
// degrees of a vector in the frame EquatorialToHorizon gives.
func HorizonAltAz(h Vec) (alt, az float64) {
	north, east := -h[0], h[1]
	alt = math.Atan2(h[2], math.Hypot(north, east)) / rad
	az = norm360(math.Atan2(east, north) / rad)
	return alt, az
}

// ICRSToHorizon is the matrix from ICRS/J2000 to the horizon frame of loc at
// t (precession, then Earth rotation): the third row dotted with a unit
// vector is the sine of its altitude.
func ICRSToHorizon(t time.Time, loc Location) Mat {
	return EquatorialToHorizon(t, loc).Mul(Precession(t))
}

// AltAz is the altitude and azimuth (degrees, azimuth from north through
// east) of (ra, dec) of date, seen from loc at t, without refraction.
func AltAz(ra, dec float64, t time.Time, loc Location) (alt, az float64) {
	return HorizonAltAz(EquatorialToHorizon(t, loc).Apply(UnitVector(ra, dec)))
}

// AltAzICRS is AltAz for ICRS/J2000 coordinates (a sky map's): precessed to the date first.
func AltAzICRS(ra, dec float64, t time.Time, loc Location) (alt, az float64) {
	return HorizonAltAz(ICRSToHorizon(t, loc).Apply(UnitVector(ra, dec)))
}

// Airmass is sec z for a body at altitude alt (degrees), without
// refraction, as astroplan's AirmassConstraint reads it; ok is false at or
// below the horizon, where sec z means nothing.
func Airmass(alt float64) (x float64, ok bool) {
	s := math.Sin(alt * rad)
	if !(s > 0) || math.Abs(alt) > 90 {
		return 0, false
	}
	x = 1 / s
	if math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// WGS84 ellipsoid: equatorial radius (km) and flattening.
const (
	earthRadiusKm = 6378.137
	flattening    = 1 / 298.257223563
)

// Geocentric is loc's position in km in the equatorial frame of date at t
// (x to the equinox of date, z to the pole), from the WGS84 ellipsoid.
func Geocentric(t time.Time, loc Location) Vec {
	sp, cp := math.Sincos(loc.Lat * rad)
	e2 := flattening * (2 - flattening)
	n := earthRadiusKm / math.Sqrt(1-e2*sp*sp)
	h := loc.Height / 1000
	rxy := (n + h) * cp
	z := (n*(1-e2) + h) * sp
	sl, cl := math.Sincos(LST(t, loc.Lon))
	return Vec{rxy * cl, rxy * sl, z}
}
