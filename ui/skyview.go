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
// the selected alert's probability map with its labelled contours, an
// annotation and a colour bar, the 90 % contours of the other GW alerts in
// range, and an RA/Dec grid labelled at every zoom; scroll zooms around the
// pointer, drag pans, a click picks the nearest alert, hovering names it
// and a corner reads out the RA/Dec under the pointer. A new alert is
// framed while the user has not moved the view. Rendering runs off the UI
// goroutine; the labels are Fyne texts placed over the image.
type SkyView struct {
	widget.BaseWidget

	// OnPick is called (on the UI goroutine) with the id of a clicked alert.
	OnPick func(id int64)

	core *app.Core
	// ctx is the window's: the view's work ends with it.
	ctx  context.Context
	reqs chan struct{}

	mu       sync.Mutex // guards what the render worker reads
	pos      []app.Position
	dots     []skymap.Dot
	view     skymap.Viewport
	selected int64
	smap     *skymap.Map
	site     *skymap.SiteView // what the default site can observe now; nil: not shaded
	offset   fyne.Position    // the image's place in the widget
	scale    float32          // image pixels per Fyne unit (the canvas scale)

	img      *canvas.Image
	hover    *widget.Label
	hoverBox *fyne.Container
	hoverID  int64
	labels   map[int64]string
	rendered chan skyRendered // tests: each finished render
	grids    skymap.Grids     // the lookup grids of the widths drawn

	// The GW contours (s.mu): each alert probed for a map, its 90 %
	// outline (nil: it has none); the ids queued for probing; whether a
	// prober runs.
	outlines map[int64]*skymap.Outline
	probe    []int64
	probing  bool
	// Framing (s.mu): moved is set when the user zooms or pans, moves
	// counts those, newest is the newest alert id loaded.
	moved  bool
	moves  int
	newest int64

	// The overlays (UI goroutine).
	gridText *fyne.Container // the grid and contour labels, no layout
	annot    *canvas.Text    // the selected map's annotation, lines below
	annot2   *canvas.Text
	annotBox *fyne.Container
	bar      *fyne.Container // the colour bar and its ends
	barHi    *canvas.Text
	cursor   *canvas.Text // RA/Dec under the pointer
	cursorBg *canvas.Rectangle
	box      fyne.Size      // the image's size in the widget
	boxAt    fyne.Position  // and its place
	annotID  int64          // the alert the annotation is of
	pool     []*canvas.Text // the label texts
	poolBg   []*canvas.Rectangle
}

// newSkyView returns an empty sky view whose work ends with ctx.
func newSkyView(ctx context.Context, core *app.Core) *SkyView {
	s := &SkyView{core: core, ctx: ctx, reqs: make(chan struct{}, 1), labels: map[int64]string{}, scale: 1,
		outlines: map[int64]*skymap.Outline{}}
	s.view = skymap.AllSky(512)
	s.img = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 1, 1)))
	s.img.FillMode = canvas.ImageFillStretch
	s.img.ScaleMode = canvas.ImageScalePixels
	s.hover = widget.NewLabel("")
	s.hoverBox = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground)), s.hover)
	s.hoverBox.Hide()
	s.makeOverlays()
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
	var newest int64
	for _, p := range pos {
		newest = max(newest, p.ID)
	}
	s.mu.Lock()
	s.pos, s.dots = pos, dots
	s.queueOutlines(pos)
	fresh := s.newest > 0 && newest > s.newest && !s.moved
	s.newest = max(s.newest, newest)
	moves := s.moves
	s.mu.Unlock()
	s.redraw()
	if fresh {
		go s.frame(newest, moves)
	}
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
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
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
		s.annotate(ctx, id, m)
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

// ResetView shows the whole sky again; a new alert is framed again.
func (s *SkyView) ResetView() {
	s.mu.Lock()
	s.moved = false
	s.mu.Unlock()
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
		case <-s.ctx.Done():
			return
		case <-s.reqs:
		}
		f, st, err := s.draw(0)
		if err != nil {
			continue
		}
		img := f.Image
		fyne.Do(func() {
			s.img.Image = img
			s.img.Refresh()
			s.showLabels(f, st)
		})
		select {
		case s.rendered <- skyRendered{img, st.view, len(st.pos), st.smap != nil, len(st.outlines)}:
		default:
		}
	}
}

// render draws the current state at width w (0: the view's own size).
func (s *SkyView) render(w int) (*image.RGBA, skyState, error) {
	f, st, err := s.draw(w)
	if err != nil {
		return nil, st, err
	}
	return f.Image, st, nil
}

// draw draws the current state at width w (0: the view's own size), with
// its labels.
func (s *SkyView) draw(w int) (*skymap.Frame, skyState, error) {
	s.mu.Lock()
	st := skyState{pos: s.pos, dots: s.dots, view: s.view, selected: s.selected, smap: s.smap,
		offset: s.offset, scale: s.scale, site: s.site}
	for id, o := range s.outlines {
		if o != nil && id != s.selected && len(o.Seg) > 0 {
			st.outlines = append(st.outlines, *o)
		}
	}
	s.mu.Unlock()
	if w > 0 {
		st.view.H = max(1, int(math.Round(float64(st.view.H)*float64(w)/float64(st.view.W))))
		st.view.W = w
	}
	opt := st.options()
	opt.Grids = &s.grids
	f, err := skymap.Draw(st.smap, opt)
	return f, st, err
}

// skyRendered is a finished render and what it drew, for tests.
type skyRendered struct {
	img    *image.RGBA
	view   skymap.Viewport
	n      int
	hasMap bool
	// outlines is the number of other GW contours drawn.
	outlines int
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
	s.userMoved()
	s.setView(func(v skymap.Viewport) skymap.Viewport {
		x, y := s.toImage(ev.Position)
		return v.ZoomAt(x, y, f)
	})
}

// Dragged pans the view.
func (s *SkyView) Dragged(ev *fyne.DragEvent) {
	s.MouseOut()
	s.userMoved()
	s.setView(func(v skymap.Viewport) skymap.Viewport {
		return v.Pan(float64(ev.Dragged.DX*s.scale), float64(ev.Dragged.DY*s.scale))
	})
}

// DragEnd ends a pan.
func (s *SkyView) DragEnd() {}

// MouseIn names the alert under the pointer.
func (s *SkyView) MouseIn(ev *desktop.MouseEvent) { s.MouseMoved(ev) }

// MouseMoved names the alert under the pointer and reads out its RA/Dec.
func (s *SkyView) MouseMoved(ev *desktop.MouseEvent) {
	s.readOut(ev.Position)
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
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
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

// MouseOut hides the name and the RA/Dec readout.
func (s *SkyView) MouseOut() {
	s.hoverID = 0
	s.hoverBox.Hide()
	s.readOut(fyne.NewPos(-1e6, -1e6))
}

// CreateRenderer is part of fyne.Widget.
func (s *SkyView) CreateRenderer() fyne.WidgetRenderer {
	return &skyRenderer{s: s, objects: []fyne.CanvasObject{s.img, s.gridText, s.annotBox, s.bar, s.cursorBg, s.cursor, s.hoverBox}}
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
	r.s.placeOverlays(off, box)
	r.s.mu.Lock()
	changed := r.s.view.W != w || r.s.view.H != h || r.s.offset != off || r.s.scale != scale
	r.s.offset, r.s.scale = off, scale
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

// SetSite shades what a site can observe (nil: no shading) and redraws;
// any goroutine.
func (s *SkyView) SetSite(v *skymap.SiteView) {
	s.mu.Lock()
	s.site = v
	s.mu.Unlock()
	s.redraw()
}
