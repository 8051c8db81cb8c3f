package skymap

import (
	"image"
	"image/color"
	"math"
)

// Outline is a credible contour of a map as line segments on the Mollweide
// plane, in units of the ellipse's width (as UnitXY): made once per map,
// it is drawn at any view by scaling and shifting only.
type Outline struct {
	// Seg holds the segments' end points: x0, y0, x1, y1, … .
	Seg []float32
	// MinX, MinY, MaxX, MaxY bound the segments (all 0 when there are none).
	MinX, MinY, MaxX, MaxY float32
}

// maxOutlineCells bounds an outline's sampling grid on each axis.
const maxOutlineCells = 768

// Outline traces the contour of the level credible region (a fraction,
// e.g. 0.9) by marching squares over a grid on the plane that covers the
// region, its cells half the size of the region's finest pixels (at most
// maxOutlineCells on an axis). Empty for a map without probability.
func (m *Map) Outline(level float64) Outline {
	levels := m.CredibleLevels()
	if m.Total <= 0 {
		return Outline{}
	}
	// The region's extent on the plane, and its finest pixel.
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	finestDeg := 180.0
	for i, p := range m.Pixels {
		if levels[i] > level {
			continue
		}
		size := math.Sqrt(p.Area()) * 180 / math.Pi
		finestDeg = math.Min(finestDeg, size)
		ra, dec := AngToRADec(p.Centre())
		x, y := UnitXY(ra, dec)
		// A pixel reaches about its size from its centre; the plane
		// stretches RA by up to about 2 near the edges.
		pad := 2 * size / 360
		x0, y0, x1, y1 = math.Min(x0, x-pad), math.Min(y0, y-pad), math.Max(x1, x+pad), math.Max(y1, y+pad)
	}
	if x0 > x1 {
		return Outline{}
	}
	x0, y0, x1, y1 = math.Max(0, x0), math.Max(0, y0), math.Min(1, x1), math.Min(0.5, y1)
	cell := math.Max(finestDeg/2/360, math.Max(x1-x0, y1-y0)/maxOutlineCells)
	nx, ny := int(math.Ceil((x1-x0)/cell))+1, int(math.Ceil((y1-y0)/cell))+1

	// Which grid nodes are inside the region: sampled on every CPU.
	inside := make([]bool, nx*ny)
	parallelRows(ny, func(j int) {
		hint := -1
		y := y0 + float64(j)*cell
		for i := 0; i < nx; i++ {
			ra, dec, ok := Unproject((x0+float64(i)*cell)*unitW, y*unitW, unitW)
			if !ok {
				continue
			}
			th, ph := RADecToAng(ra, dec)
			hint = m.find(AngToNest(1<<MaxOrder, th, ph), hint)
			inside[j*nx+i] = hint >= 0 && levels[hint] <= level
		}
	})

	o := Outline{}
	add := func(ax, ay, bx, by float64) {
		o.Seg = append(o.Seg, float32(x0+ax*cell), float32(y0+ay*cell), float32(x0+bx*cell), float32(y0+by*cell))
	}
	for j := 0; j+1 < ny; j++ {
		for i := 0; i+1 < nx; i++ {
			// Corners: 1 top left, 2 top right, 4 bottom right, 8 bottom left.
			c := 0
			if inside[j*nx+i] {
				c |= 1
			}
			if inside[j*nx+i+1] {
				c |= 2
			}
			if inside[(j+1)*nx+i+1] {
				c |= 4
			}
			if inside[(j+1)*nx+i] {
				c |= 8
			}
			if c == 0 || c == 15 {
				continue
			}
			x, y := float64(i), float64(j)
			top, right, bottom, left := [2]float64{x + 0.5, y}, [2]float64{x + 1, y + 0.5}, [2]float64{x + 0.5, y + 1}, [2]float64{x, y + 0.5}
			seg := func(a, b [2]float64) { add(a[0], a[1], b[0], b[1]) }
			switch c {
			case 1, 14:
				seg(left, top)
			case 2, 13:
				seg(top, right)
			case 4, 11:
				seg(right, bottom)
			case 8, 7:
				seg(bottom, left)
			case 3, 12:
				seg(left, right)
			case 6, 9:
				seg(top, bottom)
			case 5: // a saddle: two corners apart
				seg(left, top)
				seg(right, bottom)
			case 10:
				seg(top, right)
				seg(bottom, left)
			}
		}
	}
	if len(o.Seg) > 0 {
		o.MinX, o.MinY, o.MaxX, o.MaxY = o.Seg[0], o.Seg[1], o.Seg[0], o.Seg[1]
		for k := 0; k < len(o.Seg); k += 2 {
			o.MinX, o.MaxX = min(o.MinX, o.Seg[k]), max(o.MaxX, o.Seg[k])
			o.MinY, o.MaxY = min(o.MinY, o.Seg[k+1]), max(o.MaxY, o.Seg[k+1])
		}
	}
	return o
}

// drawOutline draws an outline's segments that reach the image.
func drawOutline(img *image.RGBA, v Viewport, o Outline, col color.RGBA) {
	if len(o.Seg) == 0 {
		return
	}
	s := v.Scale()
	ox, oy := float64(v.W)/2-v.CX*s, float64(v.H)/2-v.CY*s
	// The whole outline off the image?
	a, b := Projected{float64(o.MinX)*s + ox, float64(o.MinY)*s + oy}, Projected{float64(o.MaxX)*s + ox, float64(o.MaxY)*s + oy}
	if b.X < 0 || b.Y < 0 || a.X >= float64(v.W) || a.Y >= float64(v.H) {
		return
	}
	for k := 0; k+3 < len(o.Seg); k += 4 {
		line(img, Projected{float64(o.Seg[k])*s + ox, float64(o.Seg[k+1])*s + oy},
			Projected{float64(o.Seg[k+2])*s + ox, float64(o.Seg[k+3])*s + oy}, col)
	}
}
