package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
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

// skyAlert is a made-up alert with a position (received now).
type skyAlert struct {
	trigger      string
	ra, dec, err float64
	test         bool
	typ, source  string // "Flight" and "test" when empty
}

// archive sends alerts as GCN JSON notices through u's Kafka feed (topic
// "test", or "gcn" for the source "kafka gcn"), one after the other, and
// returns their archive ids.
func archive(t *testing.T, u *Window, alerts ...skyAlert) []int64 {
	t.Helper()
	var ids []int64
	for i, a := range alerts {
		notice := map[string]any{"mission": "Test", "id": []string{a.trigger}, "alert_type": strings.ToLower(orDefault(a.typ, "Flight")),
			"ra": a.ra, "dec": a.dec, "ra_dec_error": a.err, "n": i,
			"trigger_time": time.Now().UTC().Format(time.RFC3339Nano)} // with a mission: a GCN notice
		raw, err := json.Marshal(notice)
		if err != nil {
			t.Fatal(err)
		}
		topic := strings.TrimPrefix(orDefault(a.source, "test"), "kafka ")
		ids = append(ids, publish(t, u, topic, raw, a.test)) // a test: with Hopskotch's _test header
	}
	return ids
}

// skyFixture is a sky view 400×200 in a test window over three alerts.
func skyFixture(t *testing.T) (*Window, *SkyView, []int64) {
	u := newWindow(t)
	ids := archive(t, u,
		skyAlert{trigger: "GRB-A", ra: 90, dec: 0, err: 5},
		skyAlert{trigger: "GRB-B", ra: 270, dec: 30, err: 0.1},
		skyAlert{trigger: "GRB-C", ra: 100, dec: 0, err: 2})
	s := newTestSkyView(t, u)
	pos, err := u.Core.Archive().Positions(context.Background(), app.SkyQuery{})
	if err != nil || len(pos) != 3 {
		t.Fatalf("positions %v %v", pos, err)
	}
	s.SetPositions(pos)
	return u, s, ids
}

// newTestSkyView is a sky view 400×200 in a test window of its own.
func newTestSkyView(t *testing.T, u *Window) *SkyView {
	s := newSkyView(u.ctx, u.Core)
	s.rendered = make(chan skyRendered, 1)
	onUI(func() {
		w := test.NewWindow(s)
		w.SetPadded(false)
		w.Resize(fyne.NewSize(400, 200))
		t.Cleanup(func() { onUI(w.Close) })
	})
	return s
}

// nextRender waits for an image of the three alerts at the current view
// (with a sky map if withMap).
func nextRender(t *testing.T, s *SkyView, withMap bool) *image.RGBA {
	t.Helper()
	return nextRenderOf(t, s, 3, withMap)
}

// nextRenderOf waits for an image of n alerts at the current view.
func nextRenderOf(t *testing.T, s *SkyView, n int, withMap bool) *image.RGBA {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case r := <-s.rendered:
			if r.n == n && r.view == s.View() && r.hasMap == withMap {
				return r.img
			}
		case <-deadline:
			t.Fatal("no render")
			return nil
		}
	}
}

func TestSkyViewClickSelectsNearest(t *testing.T) {
	_, s, ids := skyFixture(t)
	if v := s.View(); v.W != 400 || v.H != 200 {
		t.Fatalf("view %+v, want 400×200", v)
	}
	var picked int64
	s.OnPick = func(id int64) { picked = id }
	p := s.View().Project(100, 0) // GRB-C; GRB-A is 10° (11 px) away
	onUI(func() { s.Tapped(&fyne.PointEvent{Position: fyne.NewPos(float32(p.X)+3, float32(p.Y)-2)}) })
	if s.Selected() != ids[2] || picked != ids[2] {
		t.Fatalf("selected %d (picked %d), want GRB-C's %d", s.Selected(), picked, ids[2])
	}
	onUI(func() { s.Tapped(&fyne.PointEvent{Position: fyne.NewPos(float32(p.X)+30, float32(p.Y)+30)}) })
	if s.Selected() != ids[2] {
		t.Fatal("a click far from every alert changed the selection")
	}
}

func TestSkyViewHoverNamesAlert(t *testing.T) {
	u, s, _ := skyFixture(t)
	p := s.View().Project(270, 30)
	onUI(func() {
		s.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(p.X)+1, float32(p.Y))}})
	})
	eventually(t, "the hover label", u, func() bool { return strings.Contains(s.HoverText(), "GRB-B") })
	onUI(func() { s.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(5, 5)}}) })
	if h := fromUI(s.HoverText); h != "" {
		t.Fatalf("hover label %q away from every alert", h)
	}
}

// hasDot reports whether the image has the dot colour within a pixel of p.
func hasDot(img *image.RGBA, x, y float64) bool {
	for dx := -1; dx <= 1; dx++ {
		for dy := -1; dy <= 1; dy++ {
			if img.RGBAAt(int(x)+dx, int(y)+dy) == (color.RGBA{255, 60, 200, 255}) {
				return true
			}
		}
	}
	return false
}

func TestSkyViewZoomAndPan(t *testing.T) {
	_, s, _ := skyFixture(t)
	img := nextRender(t, s, false)
	a := s.View().Project(100, 0)
	if !hasDot(img, a.X, a.Y) {
		t.Fatalf("no dot for GRB-C at %v", a)
	}
	ptr := fyne.NewPos(150, 90)
	onUI(func() {
		s.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: ptr}, Scrolled: fyne.NewDelta(0, 10)})
	})
	b := s.View().Project(100, 0)
	d0 := math.Hypot(a.X-150, a.Y-90)
	if d1 := math.Hypot(b.X-150, b.Y-90); math.Abs(d1-1.25*d0) > 1e-6 {
		t.Fatalf("after zooming in by 1.25 around the pointer GRB-C is %v px away, was %v", d1, d0)
	}
	img = nextRender(t, s, false)
	if !hasDot(img, b.X, b.Y) || hasDot(img, a.X, a.Y) && math.Hypot(a.X-b.X, a.Y-b.Y) > 2 {
		t.Fatalf("the zoomed image does not show GRB-C at %v (was at %v)", b, a)
	}
	onUI(func() { s.Dragged(&fyne.DragEvent{Dragged: fyne.NewDelta(40, -15)}) })
	c := s.View().Project(100, 0)
	if math.Abs(c.X-b.X-40) > 1e-6 || math.Abs(c.Y-b.Y+15) > 1e-6 {
		t.Fatalf("a drag by (40, −15) moved GRB-C from %v to %v", b, c)
	}
	if img = nextRender(t, s, false); !hasDot(img, c.X, c.Y) {
		t.Fatalf("the panned image does not show GRB-C at %v", c)
	}
	s.ResetView()
	if v := s.View(); v.Zoom != 1 || v.CX != 0.5 {
		t.Fatalf("reset view %+v", v)
	}
}

func TestSkyExportPNGSize(t *testing.T) {
	u, _, _ := skyFixture(t)
	p := u.Sky
	onUI(func() {
		w := test.NewWindow(p.Sky)
		w.Resize(fyne.NewSize(600, 300))
		t.Cleanup(func() { onUI(w.Close) })
	})
	p.refresh(context.Background())
	var buf bytes.Buffer
	if err := p.ExportPNG(&buf, 1000); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1000 || b.Dy() != 500 {
		t.Fatalf("exported %v, want 1000×500", b)
	}
}

func TestSkyAndRatesGolden(t *testing.T) {
	u, s, ids := skyFixture(t)
	s.Select(ids[0])
	nextRender(t, s, false)
	t0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	var bins []app.RateBin
	for h := 0; h < 24; h++ {
		bins = append(bins, app.RateBin{Start: t0.Add(time.Duration(h) * time.Hour), Source: "igwn.gwalert", Count: h % 5})
		bins = append(bins, app.RateBin{Start: t0.Add(time.Duration(h) * time.Hour), Source: "gcn.classic.voevent.FERMI_GBM_FLT_POS", Count: (h * 7) % 11})
	}
	_ = u
	for _, v := range []struct {
		name string
		v    fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		setTheme(variantTheme{theme.DefaultTheme(), v.v})
		var sw fyne.Window
		onUI(func() {
			chart := newRateChart()
			chart.Set(rateData{bins: bins, since: t0, until: t0.Add(23 * time.Hour), width: time.Hour})
			cw := test.NewWindow(chart.content)
			cw.Resize(fyne.NewSize(600, 200))
			test.AssertRendersToImage(t, "ratechart_"+v.name+".png", cw.Canvas())
			cw.Close()
			sw = test.NewWindow(s)
			sw.SetPadded(false)
			sw.Resize(fyne.NewSize(400, 200))
		})
		s.redraw()
		nextRender(t, s, false)
		onUI(func() { test.AssertRendersToImage(t, "skyview_"+v.name+".png", sw.Canvas()) })
	}
}

func TestSkyMapRefreshedByPush(t *testing.T) {
	u := newWindow(t)
	onUI(func() { u.Tabs.SelectIndex(skyTab) })
	eventually(t, "the empty sky map", u, func() bool { return u.Sky.Count.Text == "0 alerts with a position" })
	archiveNotice(t, u, "gcn-schema/fermi.gbm.trigger.ground1.example.json", "gcn.notices.fermi.gbm")
	// No Refresh here: the new alert must reach the sky map by itself.
	deadline := time.Now().Add(10 * time.Second)
	text := ""
	for time.Now().Before(deadline) {
		onUI(func() { text = u.Sky.Count.Text })
		if text == "1 alerts with a position" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if text != "1 alerts with a position" {
		t.Fatalf("sky map says %q", text)
	}
	var title string
	onUI(func() { title = u.Sky.Rates.title.Text })
	if !strings.Contains(title, "per day") || !strings.Contains(title, "tallest bar 1)") {
		t.Fatalf("rate chart says %q", title)
	}
}

func TestSkyViewMapGolden(t *testing.T) {
	u := newWindow(t)
	archiveNotice(t, u, "lvk-gocart/S230528ay-preliminary.json", "igwn.gwalert")
	s := newTestSkyView(t, u)
	pos, err := u.Core.Archive().Positions(context.Background(), app.SkyQuery{})
	if err != nil || len(pos) != 1 {
		t.Fatalf("positions %v, %v", pos, err)
	}
	s.SetPositions(pos)
	s.Select(pos[0].ID)
	// Zoom 5 with the map's peak (RA 358.9°, Dec −32.0°) at the centre.
	s.setView(func(v skymap.Viewport) skymap.Viewport {
		v.Zoom = 5
		x, y := skymap.UnitXY(float64(pos[0].RA), float64(pos[0].Dec))
		v.CX, v.CY = x, y
		return v
	})
	nextRenderOf(t, s, 1, true)
	onUI(func() { test.AssertRendersToImage(t, "skyview_map.png", fyne.CurrentApp().Driver().CanvasForObject(s)) })
}
