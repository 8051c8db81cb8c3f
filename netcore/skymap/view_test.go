package skymap

import (
	"image"
	"math"
	"testing"
)

func TestViewportAllSkyMatchesProject(t *testing.T) {
	v := AllSky(1024)
	for _, c := range [][2]float64{{0.5, 0}, {90, 30}, {180, -60}, {270, 89}, {359, 10}} {
		a, b := Project(c[0], c[1], 1024), v.Project(c[0], c[1])
		if math.Abs(a.X-b.X) > 1e-6 || math.Abs(a.Y-b.Y) > 1e-6 {
			t.Errorf("(%v): Project %v, viewport %v", c, a, b)
		}
		ra, dec, ok := v.Unproject(b.X, b.Y)
		if !ok || math.Abs(ra-c[0]) > 1e-6 || math.Abs(dec-c[1]) > 1e-6 {
			t.Errorf("(%v): unprojected to %v %v %v", c, ra, dec, ok)
		}
	}
}

func TestViewportZoomKeepsPointerSky(t *testing.T) {
	v := AllSky(800)
	px, py := 300.0, 120.0
	ra0, dec0, _ := v.Unproject(px, py)
	z := v.ZoomAt(px, py, 4)
	if z.Zoom != 4 {
		t.Fatalf("zoom %v", z.Zoom)
	}
	ra1, dec1, ok := z.Unproject(px, py)
	if !ok || math.Abs(ra1-ra0) > 1e-6 || math.Abs(dec1-dec0) > 1e-6 {
		t.Fatalf("pointer sky moved: %v %v → %v %v", ra0, dec0, ra1, dec1)
	}
	// Another direction moves away from the pointer four times as far.
	a, b := v.Project(200, 10), z.Project(200, 10)
	if d0, d1 := math.Hypot(a.X-px, a.Y-py), math.Hypot(b.X-px, b.Y-py); math.Abs(d1-4*d0) > 1e-6 {
		t.Fatalf("distance %v at zoom 1, %v at zoom 4", d0, d1)
	}
	p := z.Pan(50, -20)
	c, d := z.Project(200, 10), p.Project(200, 10)
	if math.Abs(d.X-c.X-50) > 1e-6 || math.Abs(d.Y-c.Y+20) > 1e-6 {
		t.Fatalf("pan by (50, −20) moved %v to %v", c, d)
	}
	if back := p.ZoomAt(0, 0, 1e-9); back.Zoom != 1 {
		t.Fatalf("zoom below 1: %v", back.Zoom)
	}
}

func TestRenderViewport(t *testing.T) {
	m := loadSample(t, "gwcelery/MS220722v_bayestar.multiorder.fits")
	ra, dec := m.MostProbable()
	v := AllSky(300)
	p := v.Project(ra, dec)
	v = v.ZoomAt(p.X, p.Y, 8)
	v.W, v.H = 320, 200
	v.CX, v.CY = UnitXY(ra, dec)
	img, err := Render(m, RenderOptions{View: v, Dots: []Dot{{X: float32(v.CX), Y: float32(v.CY)}}})
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 320 || img.Bounds().Dy() != 200 {
		t.Fatalf("image %v", img.Bounds())
	}
	// The most probable point is at the centre: the dot is drawn there.
	found := false
	for _, q := range [][2]int{{159, 99}, {160, 99}, {159, 100}, {160, 100}} {
		found = found || img.RGBAAt(q[0], q[1]) == colPoint
	}
	if !found {
		t.Fatalf("no dot at the centre")
	}
	// Zoomed in on the peak, most of the image is the bright part of the map.
	bright := 0
	for k := 0; k < len(img.Pix); k += 4 {
		if img.Pix[k] > 150 {
			bright++
		}
	}
	if bright < 320*200/20 {
		t.Fatalf("only %d bright pixels around the peak", bright)
	}
}

func TestRingSkipsSubPixelAndLarge(t *testing.T) {
	v := AllSky(360) // one pixel per degree
	dot := func(r float32) []Dot {
		x, y := UnitXY(180, 0)
		return []Dot{{X: float32(x), Y: float32(y), R: r}}
	}
	img, _ := Render(nil, RenderOptions{View: v, Dots: dot(0.5)})
	if c := img.RGBAAt(180, 90); c == colCircle {
		t.Fatal("a half-pixel circle was drawn")
	}
	img, _ = Render(nil, RenderOptions{View: v, Dots: dot(5)})
	if c := img.RGBAAt(185, 90); c != colCircle {
		t.Fatalf("a 5-pixel circle is not at 5 pixels: %v", c)
	}
	img, _ = Render(nil, RenderOptions{View: v, Dots: dot(5), MaxRing: 4})
	if c := img.RGBAAt(185, 90); c == colCircle {
		t.Fatal("a circle above MaxRing was drawn")
	}
}

func TestFillEllipseMatchesGrid(t *testing.T) {
	for _, v := range []Viewport{AllSky(256), AllSky(256).ZoomAt(40, 30, 3)} {
		img := image.NewRGBA(image.Rect(0, 0, v.W, v.H))
		fillEllipse(img, v)
		g := viewGrid(v, nil)
		differ := 0
		for k, n := range g.nest {
			if (img.Pix[4*k+3] != 0) != (n >= 0) {
				differ++
			}
		}
		if differ > 2 {
			t.Errorf("view %+v: %d pixels differ between the filled ellipse and the grid", v, differ)
		}
	}
}

// TestGridsKeepsGrids checks that a Grids value keeps the grid of a width
// (and only a few widths), and that without one each image makes its own.
func TestGridsKeepsGrids(t *testing.T) {
	var gs Grids
	a := viewGrid(AllSky(64), &gs)
	if b := viewGrid(AllSky(64), &gs); b != a {
		t.Error("a Grids made the grid of a width twice")
	}
	if viewGrid(AllSky(64), nil) == a {
		t.Error("without a Grids an image reused a grid")
	}
	for w := 100; w < 110; w++ {
		viewGrid(AllSky(w), &gs)
	}
	if n := len(gs.byWidth); n > maxCachedGrids {
		t.Errorf("a Grids keeps %d grids, more than %d", n, maxCachedGrids)
	}
}
