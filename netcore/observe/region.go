package observe

import (
	"fmt"
	"math"

	"github.com/starling-broker/starling/netcore/ephem"
	"github.com/starling-broker/starling/netcore/skymap"
)

// CircleSamples is how many directions FromCircle spreads over an error circle.
const CircleSamples = 1024

// Region is a sky region as weighted ICRS directions: a map's pixel
// centres with their probabilities, or points spread over an error circle.
// It is built once and used for any number of sites and grids.
type Region struct {
	dirs    []ephem.Vec
	weights []float64
	total   float64
}

// Len is the number of directions.
func (g *Region) Len() int { return len(g.dirs) }

// Total is the sum of the weights: the map's total probability, or 1 for a circle.
func (g *Region) Total() float64 { return g.total }

// FromMap is a map's pixels as a region: each pixel with probability is its
// centre, weighted by its probability (density × pixel area).
func FromMap(m *skymap.Map) (*Region, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: no sky map", ErrInput)
	}
	g := &Region{}
	for _, p := range m.Pixels {
		if !(p.Prob > 0) || math.IsInf(p.Prob, 0) {
			continue
		}
		theta, phi := p.Centre()
		st, ct := math.Sincos(theta)
		sp, cp := math.Sincos(phi)
		g.dirs = append(g.dirs, ephem.Vec{st * cp, st * sp, ct})
		g.weights = append(g.weights, p.Prob)
		g.total += p.Prob
	}
	if len(g.dirs) == 0 {
		return nil, fmt.Errorf("%w: the sky map has no pixel with probability", ErrInput)
	}
	return g, nil
}

// FromCompact is FromMap of a map in the archive's compact form (skymap.ReadCompact).
func FromCompact(b []byte) (*Region, error) {
	m, err := skymap.ReadCompact(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	return FromMap(m)
}

// FromCircle is an error circle as a region: CircleSamples directions of
// equal weight, spread evenly over the disc of the given radius about (ra,
// dec) (degrees, ICRS).
//
// The circle is read as a uniform disc: the source lies somewhere inside
// the radius, equally likely anywhere. A containment radius (90 % for most
// missions, 68 % for some) says how much probability lies inside but not
// how it is spread, and the question asked of it is what share of the
// circle a telescope can reach; a Gaussian would need the containment
// level, which notices do not state reliably, and would put weight outside
// the circle the notice gave.
//
// The directions follow a golden-angle spiral on the spherical cap (equal
// area per point at any radius), so a 3′ circle and a 30° one are sampled
// alike, and the result is the same every time.
func FromCircle(ra, dec, radius float64) (*Region, error) {
	switch {
	case !(ra >= -360 && ra <= 720) || !(dec >= -90 && dec <= 90):
		return nil, fmt.Errorf("%w: circle centre (%v, %v) is not RA 0…360°, Dec −90…90°", ErrInput, ra, dec)
	case !(radius > 0 && radius <= 180):
		return nil, fmt.Errorf("%w: circle radius %v is not within (0, 180]°", ErrInput, radius)
	}
	c := ephem.UnitVector(ra, dec)
	sr, cr := math.Sincos(ra * math.Pi / 180)
	sd, cd := math.Sincos(dec * math.Pi / 180)
	north := ephem.Vec{-sd * cr, -sd * sr, cd}
	east := ephem.Vec{-sr, cr, 0}
	half := math.Sin(radius * math.Pi / 360)
	golden := math.Pi * (3 - math.Sqrt(5))
	n := CircleSamples
	g := &Region{dirs: make([]ephem.Vec, n), weights: make([]float64, n), total: 1}
	for i := range n {
		// Equal area: 1 − cos θ grows linearly with the sample's rank.
		theta := 2 * math.Asin(math.Min(1, math.Sqrt((float64(i)+0.5)/float64(n))*half))
		st, ct := math.Sincos(theta)
		sp, cp := math.Sincos(float64(i) * golden)
		var v ephem.Vec
		for j := range 3 {
			v[j] = ct*c[j] + st*(cp*north[j]+sp*east[j])
		}
		g.dirs[i] = v
		g.weights[i] = 1 / float64(n)
	}
	return g, nil
}

// Directions calls f with each direction's RA, Dec (degrees) and weight.
func (g *Region) Directions(f func(ra, dec, weight float64)) {
	for i, v := range g.dirs {
		ra, dec := v.RADec()
		f(ra, dec, g.weights[i])
	}
}

// sum is the weight of the directions above the airmass limit (sin alt ≥
// minSinAlt, from the horizon row up) and, with moonSet, at least the Moon
// limit from moon (cos distance ≤ maxCosMoon); it marks them in seen.
func (g *Region) sum(up ephem.Vec, minSinAlt float64, moon ephem.Vec, maxCosMoon float64, moonSet bool, seen []bool) float64 {
	var p float64
	ux, uy, uz := up[0], up[1], up[2]
	if !moonSet {
		for i, v := range g.dirs {
			if ux*v[0]+uy*v[1]+uz*v[2] >= minSinAlt {
				p += g.weights[i]
				seen[i] = true
			}
		}
		return p
	}
	for i, v := range g.dirs {
		if ux*v[0]+uy*v[1]+uz*v[2] >= minSinAlt && moon.Dot(v) <= maxCosMoon {
			p += g.weights[i]
			seen[i] = true
		}
	}
	return p
}
