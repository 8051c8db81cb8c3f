package skymap

import (
	"math"
	"runtime"
	"sync"
)

// The all-sky images use the Mollweide projection in equatorial coordinates,
// drawn as astronomers do (astropy and ligo.skymap's "astro mollweide"): RA
// 180° (12 h) at the centre, RA increasing to the LEFT, RA 0°/360° at both
// edges, north up. The ellipse fills the image: width 2·height.

// Projected is a point on a Mollweide image, in pixels from the top left.
type Projected struct{ X, Y float64 }

// Project returns where (ra, dec) in degrees falls on a Mollweide image of
// width w (height w/2).
func Project(ra, dec float64, w int) Projected {
	lon := math.Mod(180-ra, 360) // longitude on the plot, positive to the right
	if lon > 180 {
		lon -= 360
	} else if lon < -180 {
		lon += 360
	}
	lat := dec * math.Pi / 180
	// Solve 2a + sin 2a = π sin lat for the auxiliary angle a (Newton).
	a := lat
	if math.Abs(lat) < math.Pi/2-1e-9 {
		target := math.Pi * math.Sin(lat)
		for i := 0; i < 50; i++ {
			f := 2*a + math.Sin(2*a) - target
			d := 2 + 2*math.Cos(2*a)
			if d == 0 {
				break
			}
			step := f / d
			a -= step
			if math.Abs(step) < 1e-12 {
				break
			}
		}
	}
	x := 2 * math.Sqrt2 / math.Pi * (lon * math.Pi / 180) * math.Cos(a) // in [−2√2, 2√2]
	y := math.Sqrt2 * math.Sin(a)                                       // in [−√2, √2]
	h := float64(w / 2)
	return Projected{X: (x/(2*math.Sqrt2) + 1) / 2 * float64(w), Y: (1 - y/math.Sqrt2) / 2 * h}
}

// Unproject returns the (ra, dec) in degrees under image point (px, py) of a
// Mollweide image of width w, and false outside the ellipse.
func Unproject(px, py float64, w int) (ra, dec float64, ok bool) {
	h := float64(w / 2)
	x := (px/float64(w)*2 - 1) * 2 * math.Sqrt2
	y := (1 - py/h*2) * math.Sqrt2
	if x*x/8+y*y/2 > 1 {
		return 0, 0, false
	}
	a := math.Asin(math.Max(-1, math.Min(1, y/math.Sqrt2)))
	dec = math.Asin(math.Max(-1, math.Min(1, (2*a+math.Sin(2*a))/math.Pi))) * 180 / math.Pi
	c := math.Cos(a)
	lon := 0.0
	if c > 1e-12 {
		lon = math.Pi * x / (2 * math.Sqrt2 * c) * 180 / math.Pi
	}
	ra = math.Mod(180-lon+360, 360)
	return ra, dec, true
}

// grid is, for each pixel of an image of one width, the NESTED index at
// order 29 of the direction under the pixel's centre (−1 outside the ellipse).
type grid struct {
	w, h int
	nest []int64
}

// Grids keeps the all-sky lookup grids made for image widths, so that the
// next image of a width need not make its own (about a third of a cold
// render): a view that draws many images (the window's sky view) owns one
// and passes it in RenderOptions.Grids; its zero value is ready to use.
// Without one, each image makes its grid.
type Grids struct {
	mu      sync.Mutex
	byWidth map[int]*grid
}

// maxCachedGrids bounds a Grids: a 1024-wide grid is 4 MiB.
const maxCachedGrids = 4

// forWidth returns the lookup grid for all-sky images of width w, kept in
// gs when gs is not nil.
func (gs *Grids) forWidth(w int) *grid {
	if gs == nil {
		return makeGrid(w)
	}
	gs.mu.Lock()
	g := gs.byWidth[w]
	gs.mu.Unlock()
	if g != nil {
		return g
	}
	g = makeGrid(w)
	gs.mu.Lock()
	if gs.byWidth == nil || len(gs.byWidth) >= maxCachedGrids {
		gs.byWidth = map[int]*grid{}
	}
	gs.byWidth[w] = g
	gs.mu.Unlock()
	return g
}

// makeGrid makes the lookup grid for all-sky images of width w.
func makeGrid(w int) *grid {
	g := &grid{w: w, h: w / 2, nest: make([]int64, w*(w/2))}
	parallelRows(g.h, func(j int) {
		// Unproject, with what depends only on the row taken out of the loop.
		y := (1 - (float64(j)+0.5)/float64(g.h)*2) * math.Sqrt2
		a := math.Asin(math.Max(-1, math.Min(1, y/math.Sqrt2)))
		dec := math.Asin(math.Max(-1, math.Min(1, (2*a+math.Sin(2*a))/math.Pi)))
		z, polar := nestZ(math.Pi/2 - dec)
		lonPerX := math.Pi / (2 * math.Sqrt2 * math.Cos(a))
		for i := 0; i < g.w; i++ {
			x := ((float64(i)+0.5)/float64(w)*2 - 1) * 2 * math.Sqrt2
			n := int64(-1)
			if x*x/8+y*y/2 <= 1 {
				phi := math.Pi - x*lonPerX // RA = 180° − plot longitude
				if phi < 0 {
					phi += 2 * math.Pi
				}
				n = nestFromZ(1<<MaxOrder, z, polar, phi)
			}
			g.nest[j*g.w+i] = n
		}
	})
	return g
}

// parallelRows calls f for each row in [0, h), spread over the CPUs.
func parallelRows(h int, f func(row int)) {
	n := min(runtime.GOMAXPROCS(0), h)
	var wg sync.WaitGroup
	for k := 0; k < n; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := k; j < h; j += n {
				f(j)
			}
		}()
	}
	wg.Wait()
}

// Lookup returns the index in m.Pixels of the pixel holding (ra, dec) in
// degrees, or −1 where the map has no pixel.
func (m *Map) Lookup(ra, dec float64) int {
	th, ph := RADecToAng(ra, dec)
	return m.find(AngToNest(1<<MaxOrder, th, ph), -1)
}

// find returns the index of the pixel whose range at order 29 holds nest29,
// trying hint first, or −1.
func (m *Map) find(nest29 int64, hint int) int {
	if nest29 < 0 {
		return -1
	}
	if hint >= 0 && contains(m.Pixels[hint], nest29) {
		return hint
	}
	lo, hi := 0, len(m.Pixels) // the first pixel starting after nest29 is at lo
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if rangeStart(m.Pixels[mid]) <= nest29 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 || !contains(m.Pixels[lo-1], nest29) {
		return -1
	}
	return lo - 1
}

func contains(p Pixel, nest29 int64) bool {
	s := rangeStart(p)
	return nest29 >= s && nest29 < s+int64(1)<<(2*(MaxOrder-p.Order))
}
