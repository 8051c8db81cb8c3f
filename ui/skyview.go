package ui

import (
	"context"
	"image"
	"math"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/skymap"
)

// pickRadius is how near, in pixels, a click or the pointer must be to an alert.
const pickRadius = 6

// SkyView is an all-sky Mollweide map of alerts: points and error circles,
// the selected alert's probability map with its contours; scroll zooms
// around the pointer, drag pans, a click picks the nearest alert and
// hovering names it. Rendering runs off the UI goroutine.
type SkyView struct {
	widget.BaseWidget

	// OnPick is called (on the UI goroutine) with the id of a clicked alert.
	OnPick func(id int64)

	core *app.Core
	stop <-chan struct{}
	reqs chan struct{}

	mu       sync.Mutex // guards what the render worker reads
	pos      []app.Position
	dots     []skymap.Dot
	view     skymap.Viewport
	selected int64
	smap     *skymap.Map
	offset   fyne.Position // the image's place in the widget
	scale    float32       // image pixels per Fyne unit (the canvas scale)

	img      *canvas.Image
	hover    *widget.Label
	hoverBox *fyne.Container
	hoverID  int64
	labels   map[int64]string
	rendered chan skyRendered // tests: each finished render
	grids    skymap.Grids     // the lookup grids of the widths drawn
}

// newSkyView returns an empty sky view whose renders stop with stop.
func newSkyView(core *app.Core, stop <-chan struct{}) *SkyView {
	s := &SkyView{core: core, stop: stop, reqs: make(chan struct{}, 1), labels: map[int64]string{}, scale: 1}
	s.view = skymap.AllSky(512)
	s.img = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 1, 1)))
	s.img.FillMode = canvas.ImageFillStretch
	s.img.ScaleMode = canvas.ImageScalePixels
	s.hover = widget.NewLabel("")
	s.hoverBox = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground)), s.hover)
	s.hoverBox.Hide()
	s.ExtendBaseWidget(s)
	go s.worker()
	return s
}

// SetPositions replaces the alerts drawn (any goroutine).
func (s *SkyView) SetPositions(pos []app.Position) {
	dots := make([]skymap.Dot, len(pos))
	for i, p := range pos {
		x, y := skymap.UnitXY(float64(p.RA), float64(p.Dec))
		dots[i] = skymap.Dot{X: float32(x), Y: float32(y), R: p.Err}
	}
	s.mu.Lock()
	s.pos, s.dots = pos, dots
	s.mu.Unlock()
	s.redraw()
}

// Select marks an alert and shows its sky map, decoded off the UI goroutine
// (0 clears the selection).
func (s *SkyView) Select(id int64) {
	s.mu.Lock()
	s.selected, s.smap = id, nil
	s.mu.Unlock()
	s.redraw()
	if id == 0 {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		m, err := s.core.Archive().Skymap(ctx, id)
		if err != nil || m == nil {
			return
		}
		s.mu.Lock()
		if s.selected == id {
			s.smap = m
		}
		s.mu.Unlock()
		s.redraw()
	}()
}

// Selected is the selected alert's id (0 for none).
func (s *SkyView) Selected() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.selected
}

// View is the part of the sky shown.
func (s *SkyView) View() skymap.Viewport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.view
}

// ResetView shows the whole sky again.
func (s *SkyView) ResetView() {
	s.setView(func(v skymap.Viewport) skymap.Viewport {
		a := skymap.AllSky(v.W)
		a.H = v.H
		return a
	})
}

func (s *SkyView) setView(f func(skymap.Viewport) skymap.Viewport) {
	s.mu.Lock()
	s.view = f(s.view)
	s.mu.Unlock()
	s.redraw()
}

// redraw asks the worker for a new image; requests made while it draws
// are merged into one.
func (s *SkyView) redraw() {
	select {
	case s.reqs <- struct{}{}:
	default:
	}
}

func (s *SkyView) worker() {
	for {
		select {
		case <-s.stop:
			return
		case <-s.reqs:
		}
		img, st, err := s.render(0)
		if err != nil {
			continue
		}
		fyne.Do(func() {
			s.img.Image = img
			s.img.Refresh()
		})
		select {
		case s.rendered <- skyRendered{img, st.view, len(st.pos), st.smap != nil}:
		default:
		}
	}
}

// render draws the current state at width w (0: the view's own size).
func (s *SkyView) render(w int) (*image.RGBA, skyState, error) {
	s.mu.Lock()
	st := skyState{pos: s.pos, dots: s.dots, view: s.view, selected: s.selected, smap: s.smap}
	s.mu.Unlock()
	if w > 0 {
		st.view.H = max(1, int(math.Round(float64(st.view.H)*float64(w)/float64(st.view.W))))
		st.view.W = w
	}
	opt := st.options()
	opt.Grids = &s.grids
	img, err := skymap.Render(st.smap, opt)
	return img, st, err
}

// skyRendered is a finished render and what it drew, for tests.
type skyRendered struct {
	img    *image.RGBA
	view   skymap.Viewport
	n      int
	hasMap bool
}

// toImage is the image pixel under a widget position; s.mu held.
func (s *SkyView) toImage(p fyne.Position) (x, y float64) {
	return float64((p.X - s.offset.X) * s.scale), float64((p.Y - s.offset.Y) * s.scale)
}

// nearest returns the alert drawn nearest to widget position p, within pickRadius.
func (s *SkyView) nearest(p fyne.Position) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.view.Scale()
	ox, oy := float64(s.view.W)/2-s.view.CX*sc, float64(s.view.H)/2-s.view.CY*sc
	r := pickRadius * float64(s.scale)
	best, bestD := -1, r*r
	px, py := s.toImage(p)
	for i, d := range s.dots {
		dx, dy := float64(d.X)*sc+ox-px, float64(d.Y)*sc+oy-py
		if dd := dx*dx + dy*dy; dd <= bestD {
			best, bestD = i, dd
		}
	}
	if best < 0 {
		return 0, false
	}
	return s.pos[best].ID, true
}

// Tapped picks the nearest alert.
func (s *SkyView) Tapped(ev *fyne.PointEvent) {
	id, ok := s.nearest(ev.Position)
	if !ok {
		return
	}
	s.Select(id)
	if s.OnPick != nil {
		s.OnPick(id)
	}
}

// Scrolled zooms around the pointer.
func (s *SkyView) Scrolled(ev *fyne.ScrollEvent) {
	f := 1.25
	if ev.Scrolled.DY < 0 {
		f = 1 / f
	} else if ev.Scrolled.DY == 0 {
		return
	}
	s.MouseOut() // the name under the pointer changes
	s.setView(func(v skymap.Viewport) skymap.Viewport {
		x, y := s.toImage(ev.Position)
		return v.ZoomAt(x, y, f)
	})
}

// Dragged pans the view.
func (s *SkyView) Dragged(ev *fyne.DragEvent) {
	s.MouseOut()
	s.setView(func(v skymap.Viewport) skymap.Viewport {
		return v.Pan(float64(ev.Dragged.DX*s.scale), float64(ev.Dragged.DY*s.scale))
	})
}

// DragEnd ends a pan.
func (s *SkyView) DragEnd() {}

// MouseIn names the alert under the pointer.
func (s *SkyView) MouseIn(ev *desktop.MouseEvent) { s.MouseMoved(ev) }

// MouseMoved names the alert under the pointer.
func (s *SkyView) MouseMoved(ev *desktop.MouseEvent) {
	id, ok := s.nearest(ev.Position)
	if !ok {
		s.hoverID = 0
		s.hoverBox.Hide()
		return
	}
	s.hoverBox.Move(ev.Position.Add(fyne.NewPos(12, 12)))
	if id == s.hoverID && s.hoverBox.Visible() {
		return
	}
	s.hoverID = id
	if text, ok := s.labels[id]; ok {
		s.showHover(text)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		text, err := s.core.Archive().Label(ctx, id)
		if err != nil {
			return
		}
		fyne.Do(func() {
			s.labels[id] = text
			if s.hoverID == id {
				s.showHover(text)
			}
		})
	}()
}

func (s *SkyView) showHover(text string) {
	s.hover.SetText(text)
	s.hoverBox.Resize(s.hoverBox.MinSize())
	s.hoverBox.Show()
}

// HoverText is what the hover label says ("" when hidden).
func (s *SkyView) HoverText() string {
	if !s.hoverBox.Visible() {
		return ""
	}
	return s.hover.Text
}

// MouseOut hides the name.
func (s *SkyView) MouseOut() {
	s.hoverID = 0
	s.hoverBox.Hide()
}

// CreateRenderer is part of fyne.Widget.
func (s *SkyView) CreateRenderer() fyne.WidgetRenderer {
	return &skyRenderer{s: s, objects: []fyne.CanvasObject{s.img, s.hoverBox}}
}

type skyRenderer struct {
	s       *SkyView
	objects []fyne.CanvasObject
}

// Layout centres an image twice as wide as high, as large as fits.
func (r *skyRenderer) Layout(size fyne.Size) {
	bw := float32(math.Floor(float64(min(size.Width, 2*size.Height))))
	bw -= float32(int(bw) % 2)
	box := fyne.NewSize(bw, bw/2)
	off := fyne.NewPos(float32(math.Floor(float64(size.Width-box.Width)/2)), float32(math.Floor(float64(size.Height-box.Height)/2)))
	r.s.img.Resize(box)
	r.s.img.Move(off)
	scale := float32(1)
	if c := fyne.CurrentApp().Driver().CanvasForObject(r.s); c != nil && c.Scale() > 0 {
		scale = c.Scale() // draw at the screen's pixels, sharp on HiDPI
	}
	w := int(box.Width * scale)
	w -= w % 2
	h := w / 2
	if w < 16 {
		return
	}
	r.s.mu.Lock()
	r.s.offset, r.s.scale = off, scale
	changed := r.s.view.W != w || r.s.view.H != h
	r.s.view.W, r.s.view.H = w, h
	r.s.mu.Unlock()
	if changed {
		r.s.redraw()
	}
}

func (r *skyRenderer) MinSize() fyne.Size           { return fyne.NewSize(240, 120) }
func (r *skyRenderer) Refresh()                     { r.s.img.Refresh() }
func (r *skyRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *skyRenderer) Destroy()                     {}
