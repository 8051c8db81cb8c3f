package skymap

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// gaussMap is a flat NESTED map at order whose density falls as a Gaussian
// of sigma degrees around (ra, dec).
func gaussMap(ra, dec, sigma float64, order int) *Map {
	nside := int64(1) << order
	c := AngToVec(RADecToAng(ra, dec))
	m := &Map{Ordering: "NESTED", MinOrder: order, MaxOrder: order, Pixels: make([]Pixel, 12*nside*nside)}
	for i := range m.Pixels {
		p := Pixel{Order: order, Index: int64(i)}
		d := angDist(c, AngToVec(p.Centre())) * 180 / math.Pi
		p.Density = math.Exp(-d * d / (2 * sigma * sigma))
		p.Prob = p.Density * p.Area()
		m.Total += p.Prob
		m.Pixels[i] = p
	}
	return m
}

func TestFormatRADec(t *testing.T) {
	for _, c := range []struct {
		ra, step float64
		want     string
	}{
		{0, 30, "0h"}, {180, 15, "12h"}, {359.9999, 30, "0h"}, {187.5, 7.5, "12h30m"},
		{188.75, 0.25, "12h35m"}, {188.7583333, 5.0 / 60, "12h35m02s"}, {188.73625, 0, "12h34m56.7s"},
	} {
		if got := FormatRA(c.ra, c.step); got != c.want {
			t.Errorf("FormatRA(%v, %v) = %q, want %q", c.ra, c.step, got, c.want)
		}
	}
	for _, c := range []struct {
		dec, step float64
		want      string
	}{
		{30, 30, "+30°"}, {-60, 30, "−60°"}, {0, 10, "0°"}, {12.5, 0.5, "+12°30′"},
		{-12.5833333, 5.0 / 60, "−12°35′"}, {12.5763889, 10.0 / 3600, "+12°34′35″"}, {-0.0001, 0, "0°00′00″"},
	} {
		if got := FormatDec(c.dec, c.step); got != c.want {
			t.Errorf("FormatDec(%v, %v) = %q, want %q", c.dec, c.step, got, c.want)
		}
	}
}

// TestGraticuleFollowsZoom checks that at every zoom, from the whole sky to
// the deepest, the grid has at least two labelled lines of each kind in
// view, its labels are on the image, lines are at least the minimum gap
// apart, and a deep zoom labels arcseconds.
func TestGraticuleFollowsZoom(t *testing.T) {
	all := AllSky(800)
	g := GraticuleFor(all)
	if g.RAStep != 30 || g.DecStep != 30 {
		t.Fatalf("all-sky steps RA %v Dec %v, want 30° and 30°", g.RAStep, g.DecStep)
	}
	for _, want := range []string{"12h", "+30°", "−60°", "0h"} {
		if !hasLabel(g.Labels, want) {
			t.Errorf("all-sky labels %v lack %q", texts(g.Labels), want)
		}
	}
	for _, at := range [][2]float64{{150, 20}, {10, -45}, {359.5, 0.5}, {200, 80}} {
		for zoom := 1.0; zoom <= MaxZoom; zoom *= 4 {
			v := all.Centred(at[0], at[1], zoom)
			g := GraticuleFor(v)
			var ra, dec []Label
			for _, l := range g.Labels {
				if l.X < 0 || l.Y < -1 || l.X > float64(v.W) || l.Y > float64(v.H) {
					t.Errorf("zoom %v at %v: label %+v off the image", zoom, at, l)
				}
				if l.Kind == LabelRA {
					ra = append(ra, l)
				} else {
					dec = append(dec, l)
				}
			}
			if len(ra) < 2 || len(dec) < 2 {
				t.Errorf("zoom %v at %v: labels %v (steps RA %v Dec %v)", zoom, at, texts(g.Labels), g.RAStep, g.DecStep)
			}
			for k := 1; k < len(dec); k++ {
				// Spacing is chosen at the centre and the polemost sky, so
				// lines between may be a little closer.
				if gap := math.Abs(dec[k].Y - dec[k-1].Y); gap < 0.6*minDecGap {
					t.Errorf("zoom %v at %v: Dec labels %q and %q %v px apart", zoom, at, dec[k-1].Text, dec[k].Text, gap)
				}
			}
			if zoom == MaxZoom && (g.DecStep > 1.0/60 || !strings.Contains(dec[0].Text, "′")) {
				t.Errorf("deepest zoom at %v: Dec step %v°, labels %v", at, g.DecStep, texts(dec))
			}
		}
	}
}

func hasLabel(ls []Label, text string) bool {
	for _, l := range ls {
		if l.Text == text {
			return true
		}
	}
	return false
}

func texts(ls []Label) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Text)
	}
	return out
}

// TestGraticuleLinesAtLabels checks that each Dec label sits on a drawn grid line.
func TestGraticuleLinesAtLabels(t *testing.T) {
	v := AllSky(800).Centred(150, 20, 300)
	f, err := Draw(nil, RenderOptions{View: v})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range f.Labels {
		if l.Kind != LabelDec {
			continue
		}
		n++
		if c := f.Image.RGBAAt(int(l.X)+20, int(l.Y+1)); c != colGrid {
			t.Errorf("Dec label %q at %v,%v: no grid line under it (%v)", l.Text, l.X, l.Y, c)
		}
	}
	if n == 0 {
		t.Fatal("no Dec label")
	}
}

// TestThreeArcminuteCircleAtMaxZoom draws a 3′ error circle at the deepest
// zoom on views 100 and 400 px wide and measures its radius on the image.
func TestThreeArcminuteCircleAtMaxZoom(t *testing.T) {
	for _, c := range []struct{ w, ra, dec float64 }{{100, 123.4, 5.6}, {400, 123.4, 5.6}, {600, 20, -60}} {
		at := [2]float64{c.ra, c.dec}
		v := Viewport{W: int(c.w), H: 600}.Centred(at[0], at[1], 1e9)
		if v.Zoom != MaxZoom {
			t.Fatalf("zoom %v, want the limit %v", v.Zoom, MaxZoom)
		}
		img, err := Render(nil, RenderOptions{View: v, Circles: []Circle{{RA: at[0], Dec: at[1], Radius: 3.0 / 60}}})
		if err != nil {
			t.Fatal(err)
		}
		// Every circle pixel is within 1.5 px of the true circle, projected
		// (sampled every 0.1°), and every true point on the image within
		// 1.5 px of a circle pixel; its radius is 50 px or more.
		c0 := v.Project(at[0], at[1])
		var truth []Projected
		near := math.Inf(1)
		for b := 0.0; b < 360; b += 0.1 {
			p := v.Project(Offset(at[0], at[1], 3.0/60, b))
			truth = append(truth, p)
			near = math.Min(near, math.Hypot(p.X-c0.X, p.Y-c0.Y))
		}
		var drawn []Projected
		for y := 0; y < v.H; y++ {
			for x := 0; x < v.W; x++ {
				if img.RGBAAt(x, y) == colCircle {
					drawn = append(drawn, Projected{float64(x) + 0.5, float64(y) + 0.5})
				}
			}
		}
		nearest := func(p Projected, ps []Projected) float64 {
			best := math.Inf(1)
			for _, q := range ps {
				best = math.Min(best, math.Hypot(p.X-q.X, p.Y-q.Y))
			}
			return best
		}
		worst, missed := 0.0, 0
		for _, p := range drawn {
			worst = math.Max(worst, nearest(p, truth))
		}
		for _, p := range truth {
			if p.X >= 0 && p.Y >= 0 && p.X < float64(v.W) && p.Y < float64(v.H) && nearest(p, drawn) > 1.5 {
				missed++
			}
		}
		t.Logf("%v px wide at %v: radius %.1f px and more; %d pixels, at most %.2f px off the true circle", c.w, at, near, len(drawn), worst)
		if len(drawn) < 100 || worst > 1.5 || missed > 0 || near < 50 {
			t.Errorf("%v px wide at %v: %d pixels, at most %.2f px off, %d true points not drawn, radius %.1f px",
				c.w, at, len(drawn), worst, missed, near)
		}
	}
}

// TestOutlineFollowsTheRegion checks a Gaussian map's 90 % outline: it
// lies on the 90 % circle (radius 2.146 σ) to within a pixel and a cell,
// and goes all round it. One across RA 0 is drawn at both edges.
func TestOutlineFollowsTheRegion(t *testing.T) {
	wrapped := gaussMap(0.5, -10, 3, 7).Outline(0.9)
	if wrapped.MinX > 0.05 || wrapped.MaxX < 0.95 {
		t.Errorf("an outline across RA 0 spans x %v…%v, want both edges", wrapped.MinX, wrapped.MaxX)
	}
	for _, at := range [][2]float64{{100, 20}, {200, -40}, {250, 75}} {
		m := gaussMap(at[0], at[1], 3, 7)
		o := m.Outline(0.9)
		if len(o.Seg) < 40 {
			t.Fatalf("at %v: %d segments", at, len(o.Seg)/4)
		}
		want := 3 * math.Sqrt(-2*math.Log(0.1))
		pixel := math.Sqrt(PixelArea(128)) * 180 / math.Pi
		c := AngToVec(RADecToAng(at[0], at[1]))
		bearings := map[int]bool{}
		for k := 0; k < len(o.Seg); k += 2 {
			ra, dec, ok := Unproject(float64(o.Seg[k])*unitW, float64(o.Seg[k+1])*unitW, unitW)
			if !ok {
				t.Fatalf("at %v: an outline point off the sky", at)
			}
			p := AngToVec(RADecToAng(ra, dec))
			if d := angDist(c, p) * 180 / math.Pi; math.Abs(d-want) > 1.5*pixel {
				t.Errorf("at %v: outline point %.2f° from the centre, want %.2f ± %.2f", at, d, want, 1.5*pixel)
			}
			// Bearing from the centre, in 30° sectors.
			b := math.Atan2(math.Sin((ra-at[0])*rad)*math.Cos(dec*rad),
				math.Cos(at[1]*rad)*math.Sin(dec*rad)-math.Sin(at[1]*rad)*math.Cos(dec*rad)*math.Cos((ra-at[0])*rad))
			bearings[int(math.Floor((b/rad+180)/30))%12] = true
		}
		if len(bearings) != 12 {
			t.Errorf("at %v: the outline covers %d of 12 sectors round the centre", at, len(bearings))
		}
	}
}

// TestDrawLabelsContours checks that Draw names both contours of a map, the
// 90 % label above the 50 % one, on the contours' colours.
func TestDrawLabelsContours(t *testing.T) {
	m := gaussMap(150, 10, 4, 7)
	v := AllSky(600).Centred(150, 10, 8)
	f, err := Draw(m, RenderOptions{View: v})
	if err != nil {
		t.Fatal(err)
	}
	var l50, l90 *Label // the first of each group
	for i, l := range f.Labels {
		switch {
		case l.Kind == LabelContour50 && l50 == nil:
			l50 = &f.Labels[i]
		case l.Kind == LabelContour90 && l90 == nil:
			l90 = &f.Labels[i]
		}
		if l.Kind >= LabelContour90 && l.Group != int(l.Kind) {
			t.Errorf("label %+v: group %d", l, l.Group)
		}
	}
	if l50 == nil || l90 == nil || l50.Text != "50 %" || l90.Text != "90 %" {
		t.Fatalf("contour labels %v", texts(f.Labels))
	}
	if l90.Y >= l50.Y {
		t.Errorf("90 %% label at y %v, 50 %% at %v", l90.Y, l50.Y)
	}
	if c := f.Image.RGBAAt(int(l90.X-2), int(l90.Y+1)); c != colC90 {
		t.Errorf("90 %% label's anchor is not on the contour: %v", c)
	}
	// Peak density per deg²: the densest pixel's density is about 1 per sr.
	if math.Abs(f.Peak*sqDeg-1) > 0.01 {
		t.Errorf("peak %v per deg²", f.Peak)
	}
}

// TestDrawOutlines draws another map's outline: its colour appears on the
// image where the outline is, and nowhere when it is out of view.
func TestDrawOutlines(t *testing.T) {
	o := gaussMap(60, -20, 5, 6).Outline(0.9)
	v := AllSky(600)
	count := func(v Viewport) int {
		img, err := Render(nil, RenderOptions{View: v, Outlines: []Outline{o}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for y := 0; y < v.H; y++ {
			for x := 0; x < v.W; x++ {
				if img.RGBAAt(x, y) == colOutline {
					n++
				}
			}
		}
		return n
	}
	// 90 % radius 10.7°: about 2π·10.7° of outline, 1.67 px per degree.
	if n := count(v); n < 60 {
		t.Errorf("%d outline pixels on the whole sky", n)
	}
	if n := count(v.Centred(240, 20, 20)); n != 0 {
		t.Errorf("%d outline pixels far from it", n)
	}
}

func TestClip(t *testing.T) {
	if _, _, ok := clip(Projected{-50, -50}, Projected{-10, 500}, 100, 100); ok {
		t.Error("a segment left of the image was kept")
	}
	a, b, ok := clip(Projected{-1e7, 50}, Projected{1e7, 50}, 100, 100)
	if !ok || math.Abs(a.X+1) > 1e-6 || math.Abs(b.X-101) > 1e-6 || a.Y != 50 {
		t.Errorf("clipped to %v %v %v", a, b, ok)
	}
}

// BenchmarkSkymapDraw50Outlines is a 1024-wide redraw, zoom 2, of a
// selected LVK map (the sample multi-order map) with the 90 % outlines of
// 50 others (Gaussian regions of σ 2–10°, 38,602 segments in all).
func BenchmarkSkymapDraw50Outlines(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var outs []Outline
	for range 50 {
		m := gaussMap(r.Float64()*360, math.Asin(2*r.Float64()-1)/rad, 2+8*r.Float64(), 7)
		outs = append(outs, m.Outline(0.9))
	}
	sel := loadSample(b, benchMap)
	ra, dec := sel.MostProbable()
	v := AllSky(1024).Centred(ra, dec, 2)
	var grids Grids
	b.ResetTimer()
	for b.Loop() {
		if _, err := Draw(sel, RenderOptions{View: v, Grids: &grids, Outlines: outs}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSkymapOutline traces the 90 % outline of the sample multi-order
// map: the one-off cost per GW alert in range.
func BenchmarkSkymapOutline(b *testing.B) {
	m := loadSample(b, benchMap)
	for b.Loop() {
		m.Outline(0.9)
	}
}
