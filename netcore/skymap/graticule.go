package skymap

import (
	"fmt"
	"image"
	"math"
	"sort"
)

// LabelKind says what a Label names.
type LabelKind int

// The kinds of label a render places.
const (
	// LabelRA names an RA line.
	LabelRA LabelKind = iota
	// LabelDec names a Dec line.
	LabelDec
	// LabelContour90 names the selected map's 90 % contour.
	LabelContour90
	// LabelContour50 names the selected map's 50 % contour.
	LabelContour50
)

// Label is a text for the caller to draw over a rendered image, in its own
// font: the point (AlignX·width, AlignY·height) of the text's box (0, 0
// its top left, 1, 1 its bottom right) goes at image pixel (X, Y).
type Label struct {
	Text           string
	X, Y           float64
	AlignX, AlignY float64
	Kind           LabelKind
	// Group, when not 0, makes labels alternatives: the caller draws the
	// first of a group that fits.
	Group int
}

// raSteps are the RA graticule spacings offered, coarsest first, in
// degrees: whole hours, minutes and seconds of time (1h = 15°).
var raSteps = []float64{30, 15, 7.5, 5, 2.5, 1.25, 0.5, 0.25, 0.125, 5.0 / 60, 2.5 / 60, 1.25 / 60, 0.5 / 60, 0.25 / 60}

// decSteps are the Dec graticule spacings offered, coarsest first, in
// degrees: whole degrees, arcminutes and arcseconds.
var decSteps = []float64{30, 15, 10, 5, 2, 1, 0.5, 20.0 / 60, 10.0 / 60, 5.0 / 60, 2.0 / 60, 1.0 / 60, 30.0 / 3600, 20.0 / 3600, 10.0 / 3600}

// Minimum spacing in pixels between graticule lines, so that their labels
// fit between them.
const (
	minRAGap  = 72
	minDecGap = 44
)

// Graticule is the RA/Dec grid drawn for a view: its spacings in degrees,
// the part of the sky it covers and its labels.
type Graticule struct {
	// RAStep and DecStep are the line spacings in degrees.
	RAStep, DecStep float64
	// RALo and RASpan are the RA range covered (RALo up to RALo+RASpan,
	// which may pass 360°), DecLo and DecHi the Dec range, in degrees.
	RALo, RASpan, DecLo, DecHi float64
	// Labels name the lines where they enter the view.
	Labels []Label
}

// GraticuleFor chooses the grid of a view: the finest spacings whose lines
// stay at least minRAGap and minDecGap pixels apart (so that a deep zoom
// still has labelled lines, down to seconds of arc), and the labels.
func GraticuleFor(v Viewport) Graticule {
	g := Graticule{DecLo: 90, DecHi: -90}
	// The sky in view: sample the image and look for the poles.
	var ras []float64
	const n = 24
	for j := 0; j <= n/2; j++ {
		for i := 0; i <= n; i++ {
			ra, dec, ok := v.Unproject(float64(v.W)*float64(i)/n, float64(v.H)*float64(j)/(n/2))
			if !ok {
				continue
			}
			ras = append(ras, ra)
			g.DecLo, g.DecHi = math.Min(g.DecLo, dec), math.Max(g.DecHi, dec)
		}
	}
	for _, pole := range []float64{-90, 90} {
		p := v.Project(180, pole)
		if p.X >= 0 && p.Y >= 0 && p.X <= float64(v.W) && p.Y <= float64(v.H) {
			g.DecLo, g.DecHi = math.Min(g.DecLo, pole), math.Max(g.DecHi, pole)
			ras = append(ras, 0, 90, 180, 270) // every RA meets at a pole
		}
	}
	if len(ras) == 0 || g.DecLo > g.DecHi {
		// Nothing of the ellipse sampled: a view beside it.
		return Graticule{RAStep: 30, DecStep: 30}
	}
	g.RALo, g.RASpan = raRange(ras)

	// Pixels per degree between lines: Dec lines are horizontal, their
	// spacing vertical, taken at the view's centre (or the nearest sky to
	// it) and at the sky in view nearest a pole (up to 80°), whichever is
	// less; RA lines are labelled along a Dec line, their spacing
	// horizontal there.
	raC, decC := g.RALo+g.RASpan/2, (g.DecLo+g.DecHi)/2
	if ra, dec, ok := v.Unproject(float64(v.W)/2, float64(v.H)/2); ok {
		raC, decC = ra, dec
	}
	const d = 1e-3
	decPx := math.Inf(1)
	for _, dec := range []float64{decC, g.DecLo, g.DecHi} {
		dc := math.Max(-80, math.Min(80, dec))
		decPx = math.Min(decPx, math.Abs(v.Project(raC, dc+d).Y-v.Project(raC, dc).Y)/d)
	}
	row := labelRow(v, g)
	raPx := math.Abs(v.Project(raC+d, row).X-v.Project(raC, row).X) / d
	g.RAStep = finest(raSteps, raPx, minRAGap)
	g.DecStep = finest(decSteps, decPx, minDecGap)
	// Pad the ranges by a step: the samples may miss a sliver of sky.
	if g.RASpan < 360 {
		g.RALo -= g.RAStep
		g.RASpan = math.Min(360, g.RASpan+2*g.RAStep)
		if g.RASpan == 360 {
			g.RALo = 0
		}
	}
	g.DecLo, g.DecHi = math.Max(-90, g.DecLo-g.DecStep), math.Min(90, g.DecHi+g.DecStep)
	g.Labels = g.labels(v, row)
	return g
}

// finest is the finest of steps (coarsest first) at least gap pixels
// apart at perDeg pixels per degree; the coarsest when none is.
func finest(steps []float64, perDeg, gap float64) float64 {
	best := steps[0]
	for _, s := range steps {
		if s*perDeg >= gap {
			best = s
		}
	}
	return best
}

// raRange is the smallest RA interval holding every RA in ras: its start
// and span in degrees (start in [0, 360), span up to 360).
func raRange(ras []float64) (lo, span float64) {
	sort.Float64s(ras)
	// The largest gap between neighbours, around the circle, is left out.
	gap, at := ras[0]+360-ras[len(ras)-1], 0
	for i := 1; i < len(ras); i++ {
		if g := ras[i] - ras[i-1]; g > gap {
			gap, at = g, i
		}
	}
	if gap < 30 { // samples all round: the whole circle
		return 0, 360
	}
	return ras[at], 360 - gap
}

// labelRow is the Dec along which RA lines are labelled: the equator when
// it is in view, else the sky near the image's bottom (or top) edge.
func labelRow(v Viewport, g Graticule) float64 {
	const margin = 20
	if y := v.Project(180, 0).Y; y >= margin && y <= float64(v.H)-margin {
		return 0
	}
	for _, y := range []float64{float64(v.H) - margin, margin} {
		if _, dec, ok := v.Unproject(float64(v.W)/2, y); ok {
			return dec
		}
		// The centre column is off the ellipse: any sky on the row will do.
		for i := 0; i <= 16; i++ {
			if _, dec, ok := v.Unproject(float64(v.W)*float64(i)/16, y); ok {
				return dec
			}
		}
	}
	return (g.DecLo + g.DecHi) / 2
}

// raLines are the RAs of the grid's RA lines, in [0, 360).
func (g Graticule) raLines() []float64 {
	var out []float64
	first := math.Ceil(g.RALo/g.RAStep) * g.RAStep
	for ra := first; ra < g.RALo+g.RASpan+1e-9 && len(out) < 2000; ra = first + float64(len(out))*g.RAStep {
		r := normRA(ra)
		if math.Abs(r-360) < 1e-9 {
			r = 0
		}
		out = append(out, r)
	}
	if g.RASpan >= 360 && len(out) > 0 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

// decLines are the Decs of the grid's Dec lines, the poles left out.
func (g Graticule) decLines() []float64 {
	var out []float64
	first := math.Ceil(g.DecLo/g.DecStep) * g.DecStep
	for k := 0; k < 2000; k++ {
		dec := first + float64(k)*g.DecStep
		if dec > g.DecHi+1e-9 {
			break
		}
		if math.Abs(dec) < 90-1e-9 {
			out = append(out, dec)
		}
	}
	return out
}

// labels places a label on each line in view: Dec lines at the ellipse's
// (or the image's) left edge, RA lines where they cross the Dec row.
func (g Graticule) labels(v Viewport, row float64) []Label {
	var out []Label
	in := func(p Projected) bool {
		return p.X >= 0 && p.Y >= 0 && p.X <= float64(v.W) && p.Y <= float64(v.H)
	}
	for _, dec := range g.decLines() {
		left := v.Project(359.9999999, dec)
		right := v.Project(0, dec)
		x := math.Max(0, left.X) + 3
		if x > right.X-3 || left.Y < 0 || left.Y > float64(v.H) {
			continue
		}
		out = append(out, Label{Text: FormatDec(dec, g.DecStep), X: x, Y: left.Y - 1, AlignY: 1, Kind: LabelDec})
	}
	for _, ra := range g.raLines() {
		ps := []Projected{v.Project(ra, row)}
		if ra == 0 { // RA 0 is both edges of the ellipse
			ps = append(ps, v.Project(359.9999999, row))
		}
		for _, p := range ps {
			if in(p) {
				out = append(out, Label{Text: FormatRA(ra, g.RAStep), X: p.X, Y: p.Y + 2, AlignX: 0.5, Kind: LabelRA})
			}
		}
	}
	return out
}

// drawGraticuleFor draws the lines of g, each sampled finely enough to
// follow its curve at the view's scale.
func drawGraticuleFor(img *image.RGBA, v Viewport, g Graticule) {
	perDeg := v.Scale() / 180 // an upper bound, near the centre
	for _, dec := range g.decLines() {
		// Parallels are straight in Mollweide: a few points per line.
		n := max(16, min(2048, int(g.RASpan/2)))
		pts := make([][2]float64, n+1)
		for k := range pts {
			pts[k] = [2]float64{g.RALo + g.RASpan*float64(k)/float64(n), dec}
			if pts[k][0] != 360 {
				pts[k][0] = normRA(pts[k][0])
			}
		}
		polyline(img, v, pts, colGrid)
	}
	span := g.DecHi - g.DecLo
	n := max(16, min(4096, int(span*perDeg/8)))
	for _, ra := range g.raLines() {
		pts := make([][2]float64, n+1)
		for k := range pts {
			pts[k] = [2]float64{ra, g.DecLo + span*float64(k)/float64(n)}
		}
		polyline(img, v, pts, colGrid)
		if ra == 0 { // RA 0 and 360 are the two edges of the ellipse
			for k := range pts {
				pts[k][0] = 359.9999999
			}
			polyline(img, v, pts, colGrid)
		}
	}
}

// FormatRA writes an RA in degrees in hours, minutes and seconds of time,
// to the precision of step (degrees): "14h", "14h30m", "14h31m20s"; a step
// of 0 writes seconds to a tenth ("14h31m20.5s").
func FormatRA(ra, step float64) string {
	ra = normRA(ra)
	switch {
	case step >= 15:
		return fmt.Sprintf("%dh", int(math.Round(ra/15))%24)
	case step >= 0.25:
		m := int(math.Round(ra*4)) % (24 * 60)
		return fmt.Sprintf("%dh%02dm", m/60, m%60)
	case step > 0:
		s := int(math.Round(ra*240)) % 86400
		return fmt.Sprintf("%dh%02dm%02ds", s/3600, s/60%60, s%60)
	}
	t := int(math.Round(ra*2400)) % 864000 // tenths of a second
	return fmt.Sprintf("%dh%02dm%02d.%ds", t/36000, t/600%60, t/10%60, t%10)
}

// FormatDec writes a Dec in degrees in degrees, arcminutes and arcseconds
// to the precision of step (degrees): "+30°", "−12°30′", "+12°34′30″"; a
// step of 0 writes whole arcseconds.
func FormatDec(dec, step float64) string {
	sign := "+"
	if dec < 0 {
		sign, dec = "−", -dec
	}
	switch {
	case step >= 1:
		d := int(math.Round(dec))
		if d == 0 {
			sign = ""
		}
		return fmt.Sprintf("%s%d°", sign, d)
	case step >= 1.0/60:
		m := int(math.Round(dec * 60))
		if m == 0 {
			sign = ""
		}
		return fmt.Sprintf("%s%d°%02d′", sign, m/60, m%60)
	}
	s := int(math.Round(dec * 3600))
	if s == 0 {
		sign = ""
	}
	return fmt.Sprintf("%s%d°%02d′%02d″", sign, s/3600, s/60%60, s%60)
}
