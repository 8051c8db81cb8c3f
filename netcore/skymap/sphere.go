package skymap

import "math"

const rad = math.Pi / 180

// Offset returns the point at angular distance dist along bearing (from
// north through east) from (ra, dec), all in degrees: tracing it for
// bearings 0–360° draws a true small circle on the sphere.
func Offset(ra, dec, dist, bearing float64) (ra2, dec2 float64) {
	sd, cd := math.Sincos(dec * rad)
	sr, cr := math.Sincos(dist * rad)
	sb, cb := math.Sincos(bearing * rad)
	s2 := math.Max(-1, math.Min(1, sd*cr+cd*sr*cb))
	dec2 = math.Asin(s2) / rad
	ra2 = ra + math.Atan2(sb*sr*cd, cr-sd*s2)/rad
	return normRA(ra2), dec2
}

func normRA(ra float64) float64 {
	ra = math.Mod(ra, 360)
	if ra < 0 {
		ra += 360
	}
	return ra
}
