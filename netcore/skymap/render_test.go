package skymap

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

const goldenPNG = "testdata/mollweide-ms220722v.png"

// goldenOptions is the golden image's content: the MS220722v map, an error
// circle of 10° at RA 60°, Dec +30°, and points at RA 90° and RA 270° on the
// equator (to show which way RA runs).
var goldenOptions = RenderOptions{
	Width:   512,
	Circles: []Circle{{RA: 60, Dec: 30, Radius: 10}},
	Points:  []Point{{RA: 90, Dec: 0}, {RA: 270, Dec: 0}},
}

func TestSkymapRenderGolden(t *testing.T) {
	m := loadSample(t, "gwcelery/MS220722v_bayestar.multiorder.fits")
	img, err := Render(m, goldenOptions)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenPNG, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", goldenPNG)
		return
	}
	f, err := os.Open(goldenPNG)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != img.Bounds() {
		t.Fatalf("image is %v, golden %v", img.Bounds(), want.Bounds())
	}
	// Floating point may move a line by a pixel here and there: tolerate
	// 0.2 % of the pixels differing.
	differ := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := img.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if absDiff(r1, r2) > 0x800 || absDiff(g1, g2) > 0x800 || absDiff(b1, b2) > 0x800 || absDiff(a1, a2) > 0x800 {
				differ++
			}
		}
	}
	if limit := b.Dx() * b.Dy() / 500; differ > limit {
		t.Errorf("%d pixels differ from %s (at most %d allowed); go test -run SkymapRenderGolden -update rewrites it", differ, goldenPNG, limit)
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestMollweideRoundTrip(t *testing.T) {
	for _, c := range [][2]float64{{180, 0}, {0.5, 0}, {359.5, 10}, {90, 45}, {270, -60}, {12, 89}, {200, -89.5}} {
		p := Project(c[0], c[1], 1024)
		ra, dec, ok := Unproject(p.X, p.Y, 1024)
		if !ok || angSepDeg(ra, dec, c[0], c[1]) > 1e-6 {
			t.Errorf("(%v, %v) → %+v → (%v, %v, %v)", c[0], c[1], p, ra, dec, ok)
		}
	}
	// Centre RA 180; RA increases to the left.
	if p := Project(180, 0, 1024); math.Abs(p.X-512) > 1e-9 || math.Abs(p.Y-256) > 1e-9 {
		t.Errorf("RA 180 Dec 0 at %+v, want the centre", p)
	}
	if l, r := Project(270, 0, 1024), Project(90, 0, 1024); !(l.X < 512 && r.X > 512) {
		t.Errorf("RA 270 at x=%v and RA 90 at x=%v: RA should increase leftwards", l.X, r.X)
	}
	if p := Project(0, 90, 1024); math.Abs(p.Y) > 1e-6 {
		t.Errorf("north pole at %+v, want the top", p)
	}
}

func TestOffsetIsASmallCircle(t *testing.T) {
	for _, b := range []float64{0, 45, 90, 200, 359} {
		ra, dec := Offset(350, 80, 15, b)
		if d := angSepDeg(ra, dec, 350, 80); math.Abs(d-15) > 1e-9 {
			t.Errorf("bearing %v: %v° from the centre, want 15", b, d)
		}
	}
}

// TestRenderShowsTheMap checks the image itself: the most probable pixel is
// bright, the circle's edge is drawn where it should be, the corners are
// transparent.
func TestRenderShowsTheMap(t *testing.T) {
	m := loadSample(t, "mocpy/bayestar.multiorder.fits")
	img, err := Render(m, RenderOptions{Width: 1024, Circles: []Circle{{RA: 30, Dec: -40, Radius: 20}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := img.RGBAAt(0, 0); c.A != 0 {
		t.Errorf("corner is %v, want transparent", c)
	}
	ra, dec := m.MostProbable()
	p := Project(ra, dec, 1024)
	if c := img.RGBAAt(int(p.X), int(p.Y)); c.R < 200 {
		t.Errorf("most probable pixel at %+v is %v, want bright", p, c)
	}
	// Somewhere within a pixel of the circle's northern point is cyan.
	top := Project(30, -20, 1024)
	found := false
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			if img.RGBAAt(int(top.X)+dx, int(top.Y)+dy) == colCircle {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no circle drawn near %+v", top)
	}
	if _, err := Render(m, RenderOptions{Width: 100000}); err == nil {
		t.Error("a 100000-pixel-wide image was not refused")
	}
	if img, err := Render(nil, RenderOptions{Width: 64}); err != nil || img.Bounds() != image.Rect(0, 0, 64, 32) {
		t.Errorf("nil map: %v, %v", img.Bounds(), err)
	}
}

// TestGridMatchesUnproject checks the fast row-by-row lookup grid against
// Unproject and AngToNest, pixel by pixel.
func TestGridMatchesUnproject(t *testing.T) {
	const w = 300
	g := makeGrid(w)
	bad := 0
	for j := 0; j < w/2; j++ {
		for i := 0; i < w; i++ {
			want := int64(-1)
			if ra, dec, ok := Unproject(float64(i)+0.5, float64(j)+0.5, w); ok {
				th, ph := RADecToAng(ra, dec)
				want = AngToNest(1<<MaxOrder, th, ph)
			}
			// Rounding may move a direction across a pixel edge at order 29
			// (0.4 milliarcseconds): compare at order 20.
			if got := g.nest[j*w+i]; got>>18 != want>>18 {
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d grid pixels differ from Unproject", bad)
	}
}
