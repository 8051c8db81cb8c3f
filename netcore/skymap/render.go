package skymap

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/starling-broker/starling/netcore/ephem"
)

// Circle is an error circle: a centre and a radius, in degrees.
type Circle struct {
	RA, Dec, Radius float64
}

// Point is a direction to mark, in degrees.
type Point struct {
	RA, Dec float64
}

// RenderOptions says what an all-sky image shows.
type RenderOptions struct {
	// Width is the image width in pixels (16–8192); the height is Width/2.
	Width int
	// Grids, when set, keeps the lookup grids between images (see Grids).
	Grids *Grids
	// Circles are drawn to scale, as true small circles on the sphere.
	Circles []Circle
	// Points are marked with a small cross.
	Points []Point
	// SkipMap leaves out the probability and its contours (grid, circles
	// and points only); a nil map is skipped too.
	SkipMap bool
	// View, when its W is set, is the part of the sky drawn (zoom and pan)
	// at View.W × View.H pixels; Width is then ignored.
	View Viewport
	// Dots are many points drawn fast as squares of 2·DotRadius+1 pixels
	// (DotRadius 0: single pixels): each is a plane position from UnitXY
	// (keep them to redraw at any view).
	Dots      []Dot
	DotRadius int
	// MaxRing is the largest radius in pixels of a dot's ring (0: 40);
	// larger error circles are left to Circles.
	MaxRing float64
	// Outlines are contours of other maps (see Map.Outline), drawn thin
	// and dim under the selected map's.
	Outlines []Outline
	// Site, when set, shades what a site can observe at one instant.
	Site *SiteView
}

// Frame is a rendered image and the labels to draw over it.
type Frame struct {
	Image *image.RGBA
	// Labels name the graticule's lines and the map's contours.
	Labels []Label
	// Graticule is the grid drawn.
	Graticule Graticule
	// Peak is the map's highest density, in probability per deg²: the top
	// of the colour map (0 without a map).
	Peak float64
}

// Dot is a point on the Mollweide plane in units of the ellipse's width
// (UnitXY), with an error radius R in degrees: drawn as a circle on the
// image, fast, when at least a pixel across and at most MaxRing.
type Dot struct{ X, Y, R float32 }

// The image's colours.
var (
	colSky      = color.RGBA{16, 16, 48, 255}
	colGrid     = color.RGBA{120, 120, 140, 255}
	colGalactic = color.RGBA{90, 200, 90, 255}
	colC50      = color.RGBA{255, 255, 255, 255}
	colC90      = color.RGBA{120, 200, 255, 255}
	colOutline  = color.RGBA{70, 120, 170, 255}
	colCircle   = color.RGBA{0, 255, 255, 255}
	colPoint    = color.RGBA{255, 60, 200, 255}
)

// Render draws an all-sky Mollweide image, as Draw, without its labels.
func Render(m *Map, opt RenderOptions) (*image.RGBA, error) {
	f, err := Draw(m, opt)
	if err != nil {
		return nil, err
	}
	return f.Image, nil
}

// Draw draws an all-sky Mollweide image in equatorial coordinates, RA 180°
// at the centre and increasing to the LEFT, RA 0°/360° at both edges, north
// up (astropy's "astro mollweide"; see Project): the probability as a colour map with its 50 % (white) and 90 % (light
// blue) credible contours two pixels wide, the outlines of other maps (thin,
// dim blue), a graticule (grey) whose spacing follows the zoom (see
// GraticuleFor), the galactic plane (green), the error circles (cyan) and
// the points (magenta); and the labels of the graticule and the contours,
// for the caller to draw in its own font. Outside the ellipse the image is
// transparent. m may be nil.
func Draw(m *Map, opt RenderOptions) (*Frame, error) {
	v := opt.View
	if v.W == 0 {
		v = AllSky(opt.Width)
	}
	w, h := v.W, v.H
	if w < 16 || w > 8192 || h < 1 || h > 8192 {
		return nil, fmt.Errorf("image size %d×%d is not between 16 and 8192 wide", w, h)
	}
	if v.Zoom < 1 {
		v.Zoom = 1
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	var g *grid
	var idx []int32
	if m == nil || len(m.Pixels) == 0 || opt.SkipMap {
		fillEllipse(img, v)
	} else {
		g = viewGrid(v, opt.Grids)
		idx = pixelsOf(g, m)
		drawMap(img, g, m, idx)
	}
	var siteLabels []Label
	if opt.Site != nil {
		siteLabels = drawSite(img, v, opt.Site)
	}
	grat := GraticuleFor(v)
	drawGraticuleFor(img, v, grat)
	drawGalacticPlane(img, v)
	for _, o := range opt.Outlines {
		drawOutline(img, v, o, colOutline)
	}
	frame := &Frame{Image: img, Graticule: grat, Labels: append(grat.Labels, siteLabels...)}
	if idx != nil {
		frame.Labels = append(frame.Labels, drawContours(img, g, m, idx)...)
		for _, p := range m.Pixels {
			frame.Peak = max(frame.Peak, p.Density)
		}
		frame.Peak /= sqDeg
	}
	maxRing := opt.MaxRing
	if maxRing <= 0 {
		maxRing = 40
	}
	drawRings(img, v, opt.Dots, maxRing)
	drawDots(img, v, opt.Dots, opt.DotRadius)
	drawCircles(img, v, opt.Circles)
	for _, p := range opt.Points {
		q := v.Project(p.RA, p.Dec)
		x, y := int(q.X), int(q.Y)
		for d := -4; d <= 4; d++ {
			set(img, x+d, y, colPoint)
			set(img, x, y+d, colPoint)
		}
	}
	return frame, nil
}

func setIndex(img *image.RGBA, k int, c color.RGBA) {
	o := 4 * k
	img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = c.R, c.G, c.B, c.A
}

func set(img *image.RGBA, x, y int, c color.RGBA) {
	if x < 0 || y < 0 || x >= img.Rect.Dx() || y >= img.Rect.Dy() {
		return
	}
	setIndex(img, y*img.Rect.Dx()+x, c)
}

// pixelsOf returns, for each image pixel, the index of the map pixel under
// it (−1 where there is none or outside the ellipse).
func pixelsOf(g *grid, m *Map) []int32 {
	out := make([]int32, len(g.nest))
	parallelRows(g.h, func(j int) {
		hint := -1
		for i := 0; i < g.w; i++ {
			k := j*g.w + i
			hint = m.find(g.nest[k], hint)
			out[k] = int32(hint)
		}
	})
	return out
}

func drawMap(img *image.RGBA, g *grid, m *Map, idx []int32) {
	var peak float64
	for _, p := range m.Pixels {
		peak = max(peak, p.Density)
	}
	colours := make([]color.RGBA, len(m.Pixels))
	for i, p := range m.Pixels {
		if peak > 0 {
			colours[i] = colourMap(p.Density / peak)
		}
	}
	for k, n := range g.nest {
		switch {
		case n < 0:
		case idx[k] < 0:
			setIndex(img, k, colSky)
		default:
			setIndex(img, k, colours[idx[k]])
		}
	}
}

// ColourMap is the colour of a density as a fraction of the map's peak
// (0…1): dark blue, purple, red, orange, pale yellow; for a colour bar.
func ColourMap(v float64) color.RGBA { return colourMap(v) }

// colourMap maps 0…1 to dark blue, purple, red, orange, pale yellow.
func colourMap(v float64) color.RGBA {
	stops := [...][3]float64{{16, 16, 48}, {90, 20, 120}, {190, 40, 70}, {245, 130, 30}, {255, 240, 170}}
	v = math.Max(0, math.Min(1, v)) * float64(len(stops)-1)
	i := min(int(v), len(stops)-2)
	f := v - float64(i)
	var c [3]uint8
	for k := range c {
		c[k] = uint8(stops[i][k] + f*(stops[i+1][k]-stops[i][k]) + 0.5)
	}
	return color.RGBA{c[0], c[1], c[2], 255}
}

// drawContours marks the image pixels where the credible level crosses 50 %
// or 90 % between a pixel and its right or lower neighbour, two pixels
// wide, and returns the contours' labels: for each, alternatives (one
// Group) at its extreme points, "90 %" above its top first, "50 %" below
// its bottom first.
func drawContours(img *image.RGBA, g *grid, m *Map, idx []int32) []Label {
	levels := m.CredibleLevels()
	level := func(k int) float64 {
		if idx[k] < 0 {
			return 2 // outside every credible region
		}
		return levels[idx[k]]
	}
	var labels []Label
	for _, c := range []struct {
		p    float64
		col  color.RGBA
		kind LabelKind
		text string
	}{{0.9, colC90, LabelContour90, "90 %"}, {0.5, colC50, LabelContour50, "50 %"}} {
		top, bottom, left, right := -1, -1, -1, -1
		for j := 0; j < g.h; j++ {
			for i := 0; i < g.w; i++ {
				k := j*g.w + i
				if g.nest[k] < 0 {
					continue
				}
				in := level(k) <= c.p
				if i+1 < g.w && g.nest[k+1] >= 0 && (level(k+1) <= c.p) != in ||
					j+1 < g.h && g.nest[k+g.w] >= 0 && (level(k+g.w) <= c.p) != in {
					setIndex(img, k, c.col)
					if i+1 < g.w {
						setIndex(img, k+1, c.col)
					}
					if top < 0 {
						top, left, right = k, k, k
					}
					bottom = k
					if i < left%g.w {
						left = k
					}
					if i > right%g.w {
						right = k
					}
				}
			}
		}
		if top < 0 {
			continue
		}
		at := func(k int, dx, dy, ax, ay float64) Label {
			return Label{Text: c.text, X: float64(k%g.w) + dx, Y: float64(k/g.w) + dy, AlignX: ax, AlignY: ay, Kind: c.kind, Group: int(c.kind)}
		}
		above, below := at(top, 2, -1, 0, 1), at(bottom, 2, 2, 0, 0)
		if c.kind == LabelContour50 {
			above, below = below, above
		}
		labels = append(labels, above, below, at(right, 4, 0, 0, 0.5), at(left, -3, 0, 1, 0.5))
	}
	return labels
}

// polyline draws the projected path through the (ra, dec) points, leaving
// out segments that jump across the image (where the path wraps at RA 0).
func polyline(img *image.RGBA, v Viewport, pts [][2]float64, col color.RGBA) {
	ps := make([]Projected, len(pts))
	for k, p := range pts {
		ps[k] = v.Project(p[0], p[1])
	}
	polylineProjected(img, v, ps, col)
}

// polylineProjected draws the path through projected points, as polyline.
func polylineProjected(img *image.RGBA, v Viewport, pts []Projected, col color.RGBA) {
	s := v.Scale()
	out := func(p Projected) bool {
		return p.X < 0 || p.Y < 0 || p.X >= float64(v.W) || p.Y >= float64(v.H)
	}
	for k := 1; k < len(pts); k++ {
		a, b := pts[k-1], pts[k]
		if math.Abs(a.X-b.X) > s/4 || out(a) && out(b) && math.Abs(a.X-b.X)+math.Abs(a.Y-b.Y) < s/8 {
			continue // wraps at RA 0, or lies off the image
		}
		line(img, a, b, col)
	}
}

// line draws a one-pixel line between two image points, the part on the image only.
func line(img *image.RGBA, a, b Projected, col color.RGBA) {
	var ok bool
	if a, b, ok = clip(a, b, float64(img.Rect.Dx()), float64(img.Rect.Dy())); !ok {
		return
	}
	n := int(math.Ceil(math.Max(math.Abs(b.X-a.X), math.Abs(b.Y-a.Y))))
	for s := 0; s <= n; s++ {
		t := 0.0
		if n > 0 {
			t = float64(s) / float64(n)
		}
		set(img, int(a.X+t*(b.X-a.X)), int(a.Y+t*(b.Y-a.Y)), col)
	}
}

// clip cuts the segment a–b to the rectangle [−1, w+1] × [−1, h+1]
// (Liang–Barsky), false when none of it is there.
func clip(a, b Projected, w, h float64) (Projected, Projected, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := b.X-a.X, b.Y-a.Y
	for _, e := range [4][2]float64{{-dx, a.X + 1}, {dx, w + 1 - a.X}, {-dy, a.Y + 1}, {dy, h + 1 - a.Y}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return a, b, false
			}
			continue
		}
		r := q / p
		if p < 0 {
			t0 = math.Max(t0, r)
		} else {
			t1 = math.Min(t1, r)
		}
		if t0 > t1 {
			return a, b, false
		}
	}
	return Projected{a.X + t0*dx, a.Y + t0*dy}, Projected{a.X + t1*dx, a.Y + t1*dy}, true
}

func drawGalacticPlane(img *image.RGBA, v Viewport) {
	var pts [][2]float64
	for l := 0.0; l <= 360; l += 0.25 {
		ra, dec := ephem.GalacticToEquatorial(l, 0)
		pts = append(pts, [2]float64{ra, dec})
	}
	polyline(img, v, pts, colGalactic)
}

// drawCircles draws the circles as true small circles on the sphere, about
// one vertex every 6 pixels of circumference (at most 0.2 px off a 40-px
// circle): the vertices are projected on every CPU, the lines drawn on one.
func drawCircles(img *image.RGBA, v Viewport, cs []Circle) { drawCirclesIn(img, v, cs, colCircle) }

// drawCirclesIn draws true small circles on the sphere in col.
func drawCirclesIn(img *image.RGBA, v Viewport, cs []Circle, col color.RGBA) {
	if len(cs) == 0 {
		return
	}
	verts := make([][]Projected, len(cs))
	parallelRows(len(cs), func(k int) {
		c := cs[k]
		n := max(24, min(720, int(2*math.Pi*c.Radius*v.Scale()/360/6)))
		pts := make([]Projected, n+1)
		for i := range pts {
			ra, dec := Offset(c.RA, c.Dec, c.Radius, float64(i)*360/float64(n))
			pts[i] = v.Project(ra, dec)
		}
		verts[k] = pts
	})
	for _, pts := range verts {
		polylineProjected(img, v, pts, col)
	}
}
