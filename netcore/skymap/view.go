package skymap

import "math"

// unitW is the width of the image Project is asked for when a position is
// wanted in units of the full ellipse's width.
const unitW = 1 << 20

// MaxZoom is the deepest zoom: a 3′ error circle is then 50 px in radius
// or more on any image at least 88 px wide (the ellipse, 360° of RA at
// the equator, is MaxZoom × W pixels wide).
const MaxZoom = 4096

// Viewport is the part of the all-sky Mollweide plane an image shows, for
// zoom and pan: the full ellipse is Zoom × W pixels wide, and the point
// (CX, CY) of it — in units of its width, (0.5, 0.25) being the middle — is at
// the image's centre.
type Viewport struct {
	// W and H are the image size in pixels.
	W, H int
	// Zoom magnifies the plane: 1 fits the ellipse's width to W.
	Zoom float64
	// CX and CY are the plane point at the image centre, in units of the
	// ellipse's width (x 0…1 left to right, y 0…0.5 top to bottom).
	CX, CY float64
}

// AllSky is the view of the whole ellipse on a w × w/2 image, as Render draws
// without a viewport.
func AllSky(w int) Viewport { return Viewport{W: w, H: w / 2, Zoom: 1, CX: 0.5, CY: 0.25} }

// Scale is the full ellipse's width in image pixels.
func (v Viewport) Scale() float64 { return float64(v.W) * v.Zoom }

// UnitXY is where (ra, dec) in degrees falls on the plane, in units of the
// ellipse's width: what Viewport.FromUnit places on an image.
func UnitXY(ra, dec float64) (x, y float64) {
	p := Project(ra, dec, unitW)
	return p.X / unitW, p.Y / unitW
}

// FromUnit places a plane point (in units of the ellipse's width) on the image.
func (v Viewport) FromUnit(x, y float64) Projected {
	s := v.Scale()
	return Projected{X: (x-v.CX)*s + float64(v.W)/2, Y: (y-v.CY)*s + float64(v.H)/2}
}

// ToUnit is the plane point (in units of the ellipse's width) under an image point.
func (v Viewport) ToUnit(px, py float64) (x, y float64) {
	s := v.Scale()
	return (px-float64(v.W)/2)/s + v.CX, (py-float64(v.H)/2)/s + v.CY
}

// Project returns where (ra, dec) in degrees falls on the viewport's image.
func (v Viewport) Project(ra, dec float64) Projected {
	return v.FromUnit(UnitXY(ra, dec))
}

// Unproject returns the (ra, dec) in degrees under an image point, and false
// outside the ellipse.
func (v Viewport) Unproject(px, py float64) (ra, dec float64, ok bool) {
	x, y := v.ToUnit(px, py)
	return Unproject(x*unitW, y*unitW, unitW)
}

// ZoomAt returns the viewport zoomed by factor around image point (px, py),
// which keeps showing the same sky; the zoom stays between 1 and MaxZoom.
func (v Viewport) ZoomAt(px, py, factor float64) Viewport {
	x, y := v.ToUnit(px, py)
	v.Zoom = math.Max(1, math.Min(MaxZoom, v.Zoom*factor))
	s := v.Scale()
	v.CX = x - (px-float64(v.W)/2)/s
	v.CY = y - (py-float64(v.H)/2)/s
	return v.clamp()
}

// Centred returns the viewport with (ra, dec) at the image's centre, at
// the given zoom (kept between 1 and MaxZoom).
func (v Viewport) Centred(ra, dec, zoom float64) Viewport {
	v.Zoom = math.Max(1, math.Min(MaxZoom, zoom))
	v.CX, v.CY = UnitXY(ra, dec)
	return v.clamp()
}

// Pan returns the viewport moved so that the sky follows a drag of (dx, dy) pixels.
func (v Viewport) Pan(dx, dy float64) Viewport {
	s := v.Scale()
	v.CX -= dx / s
	v.CY -= dy / s
	return v.clamp()
}

// clamp keeps the image centre on the plane's bounding box.
func (v Viewport) clamp() Viewport {
	v.CX = math.Max(0, math.Min(1, v.CX))
	v.CY = math.Max(0, math.Min(0.5, v.CY))
	return v
}

// isAllSky reports whether v draws exactly what an all-sky grid covers.
func (v Viewport) isAllSky() bool { return v == AllSky(v.W) }

// viewGrid is the lookup grid (see grid) for the pixels of a viewport; an
// all-sky one is kept in gs (nil: none kept).
func viewGrid(v Viewport, gs *Grids) *grid {
	if v.isAllSky() {
		return gs.forWidth(v.W)
	}
	g := &grid{w: v.W, h: v.H, nest: make([]int64, v.W*v.H)}
	parallelRows(g.h, func(j int) {
		for i := 0; i < g.w; i++ {
			n := int64(-1)
			if ra, dec, ok := v.Unproject(float64(i)+0.5, float64(j)+0.5); ok {
				th, ph := RADecToAng(ra, dec)
				n = AngToNest(1<<MaxOrder, th, ph)
			}
			g.nest[j*g.w+i] = n
		}
	})
	return g
}
