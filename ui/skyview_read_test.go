package ui

import (
	"context"
	"image"
	"image/color"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/skymap"
)

// gwFixture is a 600×300 sky view over two archived LVK alerts with sky
// maps (S230528ay, MS230425j) and a GRB with a 2° circle; the positions
// loaded, in the order archived.
func gwFixture(t *testing.T) (*Window, *SkyView, []app.Position) {
	u := newWindow(t)
	archiveNotice(t, u, "lvk-gocart/S230528ay-preliminary.json", "igwn.gwalert")
	archiveNotice(t, u, "lvk-gocart/MS230425j-preliminary.json", "igwn.gwalert")
	archive(t, u, skyAlert{trigger: "GRB-A", ra: 30, dec: -20, err: 2})
	s := newSkyView(u.ctx, u.Core)
	s.rendered = make(chan skyRendered, 1)
	onUI(func() {
		w := test.NewWindow(s)
		w.SetPadded(false)
		w.Resize(fyne.NewSize(600, 300))
		t.Cleanup(func() { onUI(w.Close) })
	})
	pos, err := u.Core.Archive().Positions(context.Background(), app.SkyQuery{Test: true})
	if err != nil || len(pos) != 3 {
		t.Fatalf("positions %v, %v", pos, err)
	}
	s.SetPositions(pos)
	return u, s, pos
}

// renderWith waits for a render of the current view of 3 alerts with n
// other GW contours, asking for one as it waits.
func renderWith(t *testing.T, s *SkyView, n int, withMap bool) *image.RGBA {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		s.redraw()
		select {
		case r := <-s.rendered:
			if r.n == 3 && r.outlines == n && r.view == s.View() && r.hasMap == withMap {
				return r.img
			}
		case <-deadline:
			t.Fatalf("no render with %d outlines", n)
			return nil
		}
	}
}

// gwIDs are the alerts whose 90 % outline the view holds.
func (s *SkyView) gwIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for id, o := range s.outlines {
		if o != nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// countColour counts the pixels of colour c within r pixels of (x, y).
func countColour(img *image.RGBA, c color.RGBA, x, y, r float64) int {
	n := 0
	b := img.Bounds()
	for j := max(b.Min.Y, int(y-r)); j < min(b.Max.Y, int(y+r)); j++ {
		for i := max(b.Min.X, int(x-r)); i < min(b.Max.X, int(x+r)); i++ {
			if img.RGBAAt(i, j) == c {
				n++
			}
		}
	}
	return n
}

var colOutline = color.RGBA{70, 120, 170, 255}

// TestSkyViewOtherGWContours checks that every GW alert in range gets its
// 90 % contour, read once, and that the selected one's is left to the map.
func TestSkyViewOtherGWContours(t *testing.T) {
	u, s, pos := gwFixture(t)
	eventually(t, "two GW outlines", u, func() bool { return s.Outlines() == 2 })
	img := renderWith(t, s, 2, false)
	v := s.View()
	for _, p := range pos[:2] {
		c := v.Project(float64(p.RA), float64(p.Dec))
		if n := countColour(img, colOutline, c.X, c.Y, 40); n < 10 {
			t.Errorf("alert %d: %d outline pixels near its peak %v", p.ID, n, c)
		}
	}
	if n := countColour(img, colOutline, v.Project(30, -20).X, v.Project(30, -20).Y, 8); n != 0 {
		t.Errorf("%d outline pixels at the GRB", n)
	}
	// Selected, its map is drawn instead of its outline.
	s.Select(pos[0].ID)
	renderWith(t, s, 1, true)
}

// TestSkyViewCursorReadout moves the pointer over the centre of a view at
// the deepest zoom, on RA 100°, Dec −20°: the readout says so to the
// arcsecond, and it hides off the sky.
func TestSkyViewCursorReadout(t *testing.T) {
	_, s, _ := skyFixture(t)
	s.setView(func(v skymap.Viewport) skymap.Viewport { return v.Centred(100, -20, skymap.MaxZoom) })
	onUI(func() {
		s.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(200, 100)}})
	})
	if got, want := fromUI(s.CursorText), "RA 6h40m00.0s  Dec −20°00′00″"; got != want {
		t.Errorf("readout %q, want %q", got, want)
	}
	s.ResetView()
	onUI(func() {
		s.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(2, 2)}})
	})
	if got := fromUI(s.CursorText); got != "" {
		t.Errorf("readout %q off the sky", got)
	}
}

// TestSkyViewZoomDrawsThreeArcminutes zooms on a 3′ error circle by
// scrolling until the zoom stops growing, then measures the circle.
func TestSkyViewZoomDrawsThreeArcminutes(t *testing.T) {
	u, s, _ := skyFixture(t)
	archive(t, u, skyAlert{trigger: "GRB-D", ra: 200, dec: 10, err: 0.05})
	pos, err := u.Core.Archive().Positions(context.Background(), app.SkyQuery{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetPositions(pos)
	for i := 0; i < 60; i++ {
		p := s.View().Project(200, 10)
		onUI(func() {
			s.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(p.X), float32(p.Y))}, Scrolled: fyne.NewDelta(0, 1)})
		})
	}
	if z := s.View().Zoom; z != skymap.MaxZoom {
		t.Fatalf("zoom %v after 60 scrolls in, want the limit %v", z, skymap.MaxZoom)
	}
	// At the limit the circle is 279 px in radius, more than the 400×200
	// view: out 5 steps (1.25⁵) it is 91 px.
	for i := 0; i < 5; i++ {
		onUI(func() {
			s.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(200, 100)}, Scrolled: fyne.NewDelta(0, -1)})
		})
	}
	s.setView(func(v skymap.Viewport) skymap.Viewport { return v.Centred(200, 10, v.Zoom) })
	img := nextRenderOf(t, s, 4, false)
	v := s.View()
	c := v.Project(200, 10)
	want := c.Y - v.Project(200, 10+0.05).Y
	cyan := color.RGBA{0, 255, 255, 255}
	for _, d := range []int{1, -1} {
		r := 1
		for r < 100 && img.RGBAAt(int(c.X), int(c.Y)+d*r) != cyan {
			r++
		}
		if math.Abs(float64(r)-want) > 1.5 || r < 50 {
			t.Errorf("circle radius %d px, want %.1f (and 50 or more) at zoom %v", r, want, v.Zoom)
		}
	}
}

// TestSkyViewShowAlertAndNewAlert frames an alert on "Show on sky map",
// frames a new alert while the view is left alone, and keeps the view
// once the user has panned.
func TestSkyViewShowAlertAndNewAlert(t *testing.T) {
	u, s, ids := skyFixture(t)
	onUI(func() { s.ShowAlert(ids[1]) }) // GRB-B, 0.1° at RA 270°, Dec 30°
	eventually(t, "GRB-B framed", u, func() bool { return s.View().Zoom > 1 })
	if s.Selected() != ids[1] {
		t.Errorf("selected %d, want %d", s.Selected(), ids[1])
	}
	v := s.View()
	c := v.Project(270, 30)
	if math.Abs(c.X-200) > 0.5 || math.Abs(c.Y-100) > 0.5 {
		t.Errorf("GRB-B at %v, want the centre", c)
	}
	// Its circle's radius is a quarter of the height, Dec-wise.
	if r := c.Y - v.Project(270, 29.9).Y; math.Abs(r+50) > 0.5 {
		t.Errorf("error circle %v px, want about 50", r)
	}

	reload := func() {
		pos, err := u.Core.Archive().Positions(context.Background(), app.SkyQuery{})
		if err != nil {
			t.Fatal(err)
		}
		s.SetPositions(pos)
	}
	newID := archive(t, u, skyAlert{trigger: "GRB-E", ra: 45, dec: -60, err: 1})[0]
	reload()
	eventually(t, "the new alert framed", u, func() bool {
		p := s.View().Project(45, -60)
		return math.Abs(p.X-200) < 0.5 && math.Abs(p.Y-100) < 0.5
	})
	if s.Selected() != ids[1] {
		t.Errorf("a new alert changed the selection to %d", s.Selected())
	}
	_ = newID

	onUI(func() { s.Dragged(&fyne.DragEvent{Dragged: fyne.NewDelta(30, 10)}) })
	moved := s.View()
	archive(t, u, skyAlert{trigger: "GRB-F", ra: 300, dec: 50, err: 1})
	reload()
	nextRenderOf(t, s, 5, false)
	if s.View() != moved {
		t.Errorf("a new alert moved a view the user panned: %+v, was %+v", s.View(), moved)
	}
	s.ResetView()
	archive(t, u, skyAlert{trigger: "GRB-G", ra: 10, dec: 5, err: 3})
	reload()
	eventually(t, "the next new alert framed after Whole sky", u, func() bool {
		p := s.View().Project(10, 5)
		return math.Abs(p.X-200) < 0.5 && math.Abs(p.Y-100) < 0.5
	})
}

// TestSkyViewShowGWAlertFramesItsMap frames a GW alert on its 90 % region
// and annotates it.
func TestSkyViewShowGWAlertFramesItsMap(t *testing.T) {
	u, s, pos := gwFixture(t)
	for _, p := range pos[:2] {
		onUI(func() { s.ShowAlert(p.ID) })
		var o *skymap.Outline
		eventually(t, "framed and annotated", u, func() bool {
			s.mu.Lock()
			o = s.outlines[p.ID]
			s.mu.Unlock()
			return o != nil && s.View() == frameView(s.View(), p, o) && strings.Contains(s.Annotation(), "· LVK")
		})
		v := s.View()
		t.Logf("alert %d: 90 %% region x %.3f…%.3f y %.3f…%.3f; view %+v", p.ID, o.MinX, o.MaxX, o.MinY, o.MaxY, v)
		if c := v.Project(float64(p.RA), float64(p.Dec)); c.X < 0 || c.Y < 0 || c.X > 600 || c.Y > 300 {
			t.Errorf("alert %d's peak at %v, off the view", p.ID, c)
		}
		a := fromUI(s.Annotation)
		if !strings.Contains(a, "50 %: ") || !strings.Contains(a, "90 %: ") || !strings.Contains(a, "deg²") {
			t.Errorf("annotation %q", a)
		}
		eventually(t, "the contour labels", u, func() bool {
			l := strings.Join(s.GridLabels(), " ")
			return strings.Contains(l, "90 %") && strings.Contains(l, "50 %")
		})
	}
}

// TestFrameView frames a small region at two thirds of the view, a region
// across RA 0 on the alert's peak, and an error circle at a quarter of the
// view's height.
func TestFrameView(t *testing.T) {
	v := skymap.AllSky(600)
	v.H = 300
	small := skymap.Outline{Seg: []float32{0.30, 0.20, 0.32, 0.21}, MinX: 0.30, MinY: 0.20, MaxX: 0.32, MaxY: 0.21}
	f := frameView(v, app.Position{RA: 100, Dec: 10}, &small)
	a, b := f.FromUnit(0.30, 0.20), f.FromUnit(0.32, 0.21)
	if w, h := (b.X-a.X)/600, (b.Y-a.Y)/300; math.Abs(math.Max(w, h)-2.0/3) > 1e-3 || math.Abs(a.X+b.X-600) > 0.01 || math.Abs(a.Y+b.Y-300) > 0.01 {
		t.Errorf("small region framed at %v–%v", a, b)
	}
	wide := skymap.Outline{Seg: []float32{0.01, 0.30, 0.99, 0.32}, MinX: 0.01, MinY: 0.30, MaxX: 0.99, MaxY: 0.32}
	f = frameView(v, app.Position{RA: 359, Dec: -30}, &wide)
	if c := f.Project(359, -30); math.Abs(c.X-300) > 1e-6 || math.Abs(c.Y-150) > 1e-6 || f.Zoom <= 1 {
		t.Errorf("a region across RA 0 framed at zoom %v with its peak at %v", f.Zoom, c)
	}
	f = frameView(v, app.Position{RA: 200, Dec: 0, Err: 1}, nil)
	if r := f.Project(200, 0).Y - f.Project(200, 1).Y; math.Abs(r-75) > 0.5 {
		t.Errorf("a 1° circle framed at %v px", r)
	}
}

// TestSkyViewLabelsGolden renders the sky map with its labels: a GW map
// (MS230425j) selected with its annotation, colour bar, contour and grid
// labels, the other GW alert's contour (S230528ay, across RA 0), a GRB's
// circle and the RA/Dec readout.
func TestSkyViewLabelsGolden(t *testing.T) {
	setTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	u, s, pos := gwFixture(t)
	eventually(t, "two GW outlines", u, func() bool { return s.Outlines() == 2 })
	s.Select(pos[1].ID)
	eventually(t, "the annotation", u, func() bool { return strings.Contains(s.Annotation(), "MS230425j") })
	// The whole sky: both maps in view.
	s.ResetView()
	renderWith(t, s, 1, true)
	p := s.View().Project(5, -5)
	onUI(func() {
		s.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(p.X), float32(p.Y))}})
	})
	if got := fromUI(s.CursorText); !strings.HasPrefix(got, "RA 0h20m") || !strings.Contains(got, "Dec −5°") {
		t.Errorf("readout %q at RA 5°, Dec −5°", got)
	}
	onUI(func() {
		test.AssertRendersToImage(t, "skyview_labels.png", fyne.CurrentApp().Driver().CanvasForObject(s))
	})
}

// BenchmarkSkyRedraw50GW is a redraw of the 1024×512 view, zoom 2, with a
// selected LVK map, 1,000 other alerts and the 90 % contours of 50 GW
// alerts (the sample LVK maps' outlines, placed round the sky).
func BenchmarkSkyRedraw50GW(b *testing.B) {
	var maps []*skymap.Map
	for _, name := range []string{"lvk-gocart/S230528ay-preliminary.json", "lvk-gocart/MS230425j-preliminary.json",
		"lvk-gocart/MS230425k-preliminary.json", "lvk-userguide/MS181101ab-preliminary.json"} {
		raw, err := os.ReadFile("../testdata/notices/" + name)
		if err != nil {
			b.Fatal(err)
		}
		fits, err := skymap.FromAlertJSON(raw)
		if err != nil {
			b.Fatal(err)
		}
		m, err := skymap.Read(fits)
		if err != nil {
			b.Fatal(err)
		}
		maps = append(maps, m)
	}
	var base []skymap.Outline
	for _, m := range maps {
		base = append(base, m.Outline(0.9))
	}
	st := benchSky(1000)
	st.smap = maps[0]
	segs := 0
	for i := 0; i < 50; i++ {
		// Each sample outline moved to a place of its own on the plane.
		o := base[i%len(base)]
		dx, dy := float32(i%10)*0.1-o.MinX, float32(i/10)*0.08+0.05-o.MinY
		moved := skymap.Outline{Seg: make([]float32, len(o.Seg)), MinX: o.MinX + dx, MaxX: o.MaxX + dx, MinY: o.MinY + dy, MaxY: o.MaxY + dy}
		for k := 0; k < len(o.Seg); k += 2 {
			moved.Seg[k], moved.Seg[k+1] = o.Seg[k]+dx, o.Seg[k+1]+dy
		}
		st.outlines = append(st.outlines, moved)
		segs += len(o.Seg) / 4
	}
	b.Logf("%d contour segments", segs)
	ra, dec := maps[0].MostProbable()
	st.view = st.view.Centred(ra, dec, 2)
	benchRedraw(b, st)
}
