package ephem

import "math"

// The galactic frame in J2000 coordinates: the north galactic pole's RA and
// Dec, and the galactic longitude of the north celestial pole, in degrees.
const (
	ngpRA  = 192.85948
	ngpDec = 27.12825
	ncpL   = 122.93192
)

// GalacticToEquatorial converts galactic (l, b) to equatorial J2000/ICRS (RA, Dec), in degrees.
func GalacticToEquatorial(l, b float64) (ra, dec float64) {
	sb, cb := math.Sincos(b * rad)
	sd, cd := math.Sincos(ngpDec * rad)
	sl, cl := math.Sincos((ncpL - l) * rad)
	dec = math.Asin(math.Max(-1, math.Min(1, sb*sd+cb*cd*cl))) / rad
	ra = ngpRA + math.Atan2(cb*sl, sb*cd-cb*sd*cl)/rad
	return norm360(ra), dec
}

// EquatorialToGalactic converts equatorial J2000/ICRS (ra, dec) to galactic (l, b), in degrees.
func EquatorialToGalactic(ra, dec float64) (l, b float64) {
	sd, cd := math.Sincos(dec * rad)
	sg, cg := math.Sincos(ngpDec * rad)
	sa, ca := math.Sincos((ra - ngpRA) * rad)
	b = math.Asin(math.Max(-1, math.Min(1, sd*sg+cd*cg*ca))) / rad
	l = ncpL - math.Atan2(cd*sa, sd*cg-cd*sg*ca)/rad
	return norm360(l), b
}
