package skymap

import (
	"math"

	"github.com/starling-broker/starling/netcore/alert"
)

// sqDeg is the square degrees in one steradian.
const sqDeg = (180 / math.Pi) * (180 / math.Pi)

// MostProbable returns the centre of the highest-density pixel, RA and Dec in degrees.
func (m *Map) MostProbable() (ra, dec float64) {
	best := 0
	for i, p := range m.Pixels {
		if p.Density > m.Pixels[best].Density {
			best = i
		}
	}
	return AngToRADec(m.Pixels[best].Centre())
}

// byDensity is the pixels' indices, densest first (ties in sky order).
func (m *Map) byDensity() []int {
	// Densities are finite and not negative, so their bits order as they
	// do; inverted, densest first. A stable radix sort on them, a byte at a
	// time, keeps ties in sky order.
	keys := make([]uint64, len(m.Pixels))
	idx := make([]int, len(m.Pixels))
	for i, p := range m.Pixels {
		keys[i], idx[i] = ^math.Float64bits(p.Density), i
	}
	keys2, idx2 := make([]uint64, len(keys)), make([]int, len(idx))
	for shift := 0; shift < 64; shift += 8 {
		var count [257]int
		for _, k := range keys {
			count[(k>>shift)&0xff+1]++
		}
		if len(keys) == 0 || count[(keys[0]>>shift)&0xff+1] == len(keys) {
			continue // every key has the same byte here
		}
		for b := 1; b < 257; b++ {
			count[b] += count[b-1]
		}
		for j, k := range keys {
			d := (k >> shift) & 0xff
			keys2[count[d]], idx2[count[d]] = k, idx[j]
			count[d]++
		}
		keys, keys2, idx, idx2 = keys2, keys, idx2, idx
	}
	return idx
}

// CredibleAreas returns the areas in deg² of the smallest regions holding
// each probability in levels (fractions of the map's total, e.g. 0.5, 0.9):
// pixels are taken densest first until their cumulative probability
// reaches the level, that last pixel included.
func (m *Map) CredibleAreas(levels ...float64) []float64 {
	out := make([]float64, len(levels))
	if m.Total <= 0 {
		return out
	}
	idx := m.byDensity()
	for li, level := range levels {
		var cum, area float64
		for _, i := range idx {
			p := m.Pixels[i]
			area += p.Area()
			cum += p.Prob
			if cum >= level*m.Total {
				break
			}
		}
		out[li] = area * sqDeg
	}
	return out
}

// CredibleLevels returns, for each pixel in m.Pixels, the cumulative
// probability (as a fraction of the total) of the pixels at least as dense:
// a pixel is inside the p credible region when its level is at most p.
func (m *Map) CredibleLevels() []float64 {
	levels := make([]float64, len(m.Pixels))
	if m.Total <= 0 {
		return levels
	}
	var cum float64
	for _, i := range m.byDensity() {
		cum += m.Pixels[i].Prob
		levels[i] = cum / m.Total
	}
	return levels
}

// Summary is the archive's summary of the map (degrees, deg², Mpc); its
// distance is nil when the map has none.
func (m *Map) Summary() alert.SkymapSummary {
	ra, dec := m.MostProbable()
	a := m.CredibleAreas(0.5, 0.9)
	s := alert.SkymapSummary{
		RA: ra, Dec: dec, Area50: a[0], Area90: a[1],
		NPix: len(m.Pixels), MaxOrder: m.MaxOrder,
	}
	if m.HasDistance {
		mean, std := m.DistMean, m.DistStd
		s.DistMean, s.DistStd = &mean, &std
	}
	return s
}

// maxPixRadius bounds the angle from a pixel's centre to any of its points,
// in units of the square root of its area (1.045 at most; a margin added).
const maxPixRadius = 1.2

// ProbInCircle returns the probability inside the circle of radius radius
// around (ra, dec), all in degrees. Pixels that straddle the circle's edge
// are split into their four children, down to pixels far smaller than the
// circle, so circles smaller than the map's pixels are measured too.
func (m *Map) ProbInCircle(ra, dec, radius float64) float64 {
	if radius <= 0 {
		return 0
	}
	if radius >= 180 {
		return m.Total
	}
	c := AngToVec(RADecToAng(ra, dec))
	r := radius * math.Pi / 180
	// Stop splitting at pixels 1/256 of the radius across (and at order 29).
	stop := 0
	for stop < MaxOrder && math.Sqrt(PixelArea(int64(1)<<stop)) > r/256 {
		stop++
	}
	var sum float64
	for _, p := range m.Pixels {
		sum += p.Density * overlap(c, r, p.Order, p.Index, max(stop, p.Order))
	}
	return sum
}

// overlap is the solid angle of NESTED pixel (order, ipix) inside the circle
// (centre c, radius r radians), splitting edge pixels down to order stop.
func overlap(c Vec, r float64, order int, ipix int64, stop int) float64 {
	nside := int64(1) << order
	area := PixelArea(nside)
	d := angDist(c, AngToVec(NestToAng(nside, ipix)))
	reach := maxPixRadius * math.Sqrt(area)
	switch {
	case d+reach <= r:
		return area
	case d-reach >= r:
		return 0
	case order >= stop:
		if d <= r {
			return area
		}
		return 0
	}
	var sum float64
	for k := int64(0); k < 4; k++ {
		sum += overlap(c, r, order+1, 4*ipix+k, stop)
	}
	return sum
}
