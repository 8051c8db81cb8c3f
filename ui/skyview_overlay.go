package ui

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/skymap"
)

// The texts over the sky map are Fyne texts, not pixels in the image: in
// the theme's font and size, sharp at any screen scale, and the image stays
// free of them to be redrawn off the UI goroutine. The sky behind them is
// always dark, whatever the theme, so their colours are fixed light ones.
var (
	skyText      = color.NRGBA{215, 215, 235, 255}
	skyText50    = color.NRGBA{255, 255, 255, 255}
	skyText90    = color.NRGBA{120, 200, 255, 255}
	skyPanel     = color.NRGBA{0, 0, 0, 160}
	skyLabelBg   = color.NRGBA{0, 0, 0, 110}
	labelPad     = float32(2)
	colourBarW   = float32(150)
	colourBarH   = float32(10)
	overlayInset = float32(4)
)

// makeOverlays makes the label layer, the annotation, the colour bar and
// the RA/Dec readout, all hidden.
func (s *SkyView) makeOverlays() {
	s.gridText = container.NewWithoutLayout()
	s.annot = canvas.NewText("", skyText)
	s.annot.TextStyle.Bold = true
	s.annot2 = canvas.NewText("", skyText)
	s.annot2.TextSize = theme.CaptionTextSize()
	s.annotBox = container.NewWithoutLayout(canvas.NewRectangle(skyPanel), s.annot, s.annot2)
	s.annotBox.Hide()

	ramp := canvas.NewRasterWithPixels(func(x, _, w, _ int) color.Color {
		return skymap.ColourMap(float64(x) / float64(max(1, w-1)))
	})
	title := canvas.NewText("probability per deg²", skyText)
	title.TextSize = theme.CaptionTextSize()
	lo := canvas.NewText("0", skyText)
	lo.TextSize = theme.CaptionTextSize()
	s.barHi = canvas.NewText("", skyText)
	s.barHi.TextSize = theme.CaptionTextSize()
	s.barHi.Alignment = fyne.TextAlignTrailing
	bg := canvas.NewRectangle(skyPanel)
	th := fyne.MeasureText("0", theme.CaptionTextSize(), fyne.TextStyle{}).Height
	w, pad := colourBarW, float32(4)
	bg.Resize(fyne.NewSize(w+2*pad, 2*th+colourBarH+2*pad))
	title.Move(fyne.NewPos(pad, pad))
	ramp.Move(fyne.NewPos(pad, pad+th))
	ramp.Resize(fyne.NewSize(w, colourBarH))
	lo.Move(fyne.NewPos(pad, pad+th+colourBarH))
	s.barHi.Move(fyne.NewPos(pad, pad+th+colourBarH))
	s.barHi.Resize(fyne.NewSize(w, th))
	s.bar = container.NewWithoutLayout(bg, title, ramp, lo, s.barHi)
	s.bar.Resize(bg.Size())
	s.bar.Hide()

	s.cursor = canvas.NewText("", skyText)
	s.cursor.TextSize = theme.CaptionTextSize()
	s.cursor.TextStyle.Monospace = true
	s.cursorBg = canvas.NewRectangle(skyPanel)
	s.cursor.Hide()
	s.cursorBg.Hide()
}

// placeOverlays puts the corner overlays in the image's corners: the
// annotation top left, the colour bar top right, the readout bottom left
// (UI goroutine); RA labels run along the equator or the bottom.
func (s *SkyView) placeOverlays(at fyne.Position, box fyne.Size) {
	s.box, s.boxAt = box, at
	s.gridText.Resize(s.Size())
	s.layoutAnnotation()
	s.bar.Move(at.Add(fyne.NewPos(box.Width-s.bar.Size().Width-overlayInset, overlayInset)))
	s.layoutCursor()
}

func (s *SkyView) layoutAnnotation() {
	a, b := s.annot.MinSize(), s.annot2.MinSize()
	pad := float32(4)
	s.annot.Move(fyne.NewPos(pad, pad))
	s.annot2.Move(fyne.NewPos(pad, pad+a.Height))
	size := fyne.NewSize(max(a.Width, b.Width)+2*pad, a.Height+b.Height+2*pad)
	s.annotBox.Objects[0].Resize(size)
	s.annotBox.Resize(size)
	s.annotBox.Move(s.boxAt.Add(fyne.NewPos(overlayInset, overlayInset)))
}

func (s *SkyView) layoutCursor() {
	size := s.cursor.MinSize()
	pad := float32(3)
	at := s.boxAt.Add(fyne.NewPos(overlayInset, s.box.Height-size.Height-2*pad-overlayInset))
	s.cursorBg.Resize(size.AddWidthHeight(2*pad, 2*pad))
	s.cursorBg.Move(at)
	s.cursor.Move(at.Add(fyne.NewPos(pad, pad)))
}

// readOut shows the RA and Dec under widget position p in the readout,
// or hides it off the sky (UI goroutine).
func (s *SkyView) readOut(p fyne.Position) {
	s.mu.Lock()
	x, y := s.toImage(p)
	ra, dec, ok := s.view.Unproject(x, y)
	ok = ok && x >= 0 && y >= 0 && x < float64(s.view.W) && y < float64(s.view.H)
	s.mu.Unlock()
	if !ok {
		s.cursor.Hide()
		s.cursorBg.Hide()
		return
	}
	s.cursor.Text = "RA " + skymap.FormatRA(ra, 0) + "  Dec " + skymap.FormatDec(dec, 0)
	s.cursor.Refresh()
	s.layoutCursor()
	s.cursor.Show()
	s.cursorBg.Show()
}

// CursorText is what the RA/Dec readout says ("" when hidden).
func (s *SkyView) CursorText() string {
	if !s.cursor.Visible() {
		return ""
	}
	return s.cursor.Text
}

// Annotation is what the selected map's annotation says, its lines joined
// by a newline ("" when hidden).
func (s *SkyView) Annotation() string {
	if !s.annotBox.Visible() {
		return ""
	}
	return s.annot.Text + "\n" + s.annot2.Text
}

// GridLabels are the texts of the labels drawn over the image.
func (s *SkyView) GridLabels() []string {
	var out []string
	for _, o := range s.gridText.Objects {
		if t, ok := o.(*canvas.Text); ok && t.Visible() {
			out = append(out, t.Text)
		}
	}
	return out
}

// showLabels places a render's labels over the image, leaving out any that
// would overlap one placed before or a corner overlay, and shows or hides
// the annotation and colour bar with the map (UI goroutine).
func (s *SkyView) showLabels(f *skymap.Frame, st skyState) {
	hasMap := st.smap != nil && f.Peak > 0
	if hasMap {
		s.barHi.Text = fmt.Sprintf("%.3g", f.Peak)
		s.barHi.Refresh()
		s.bar.Show()
	} else {
		s.bar.Hide()
	}
	if hasMap && s.annotID == st.selected && s.annot.Text != "" {
		s.annotBox.Show()
	} else {
		s.annotBox.Hide()
	}
	var taken []fyne.Position // top left and bottom right, in pairs
	for _, o := range []fyne.CanvasObject{s.annotBox, s.bar} {
		if o.Visible() {
			taken = append(taken, o.Position(), o.Position().Add(o.Size()))
		}
	}
	free := func(a, b fyne.Position) bool {
		for k := 0; k < len(taken); k += 2 {
			if a.X < taken[k+1].X+2 && taken[k].X < b.X+2 && a.Y < taken[k+1].Y && taken[k].Y < b.Y {
				return false
			}
		}
		return true
	}
	size := theme.CaptionTextSize()
	n := 0
	// Contour labels first: they win a place over grid labels.
	labels := append([]skymap.Label(nil), f.Labels...)
	sort.SliceStable(labels, func(i, j int) bool {
		return labels[i].Kind >= skymap.LabelContour90 && labels[j].Kind < skymap.LabelContour90
	})
	placed := map[int]bool{} // the groups with a label drawn
	for _, l := range labels {
		if l.Group != 0 && placed[l.Group] {
			continue
		}
		style := fyne.TextStyle{}
		col := skyText
		switch l.Kind {
		case skymap.LabelContour90:
			style.Bold, col = true, skyText90
		case skymap.LabelContour50:
			style.Bold, col = true, skyText50
		case skymap.LabelSite:
			style.Bold = true
		}
		ts := fyne.MeasureText(l.Text, size, style)
		box := ts.AddWidthHeight(2*labelPad, 0)
		x := st.offset.X + float32(l.X)/st.scale - float32(l.AlignX)*box.Width
		y := st.offset.Y + float32(l.Y)/st.scale - float32(l.AlignY)*box.Height
		// Kept within the image.
		x = max(s.boxAt.X, min(x, s.boxAt.X+s.box.Width-box.Width))
		y = max(s.boxAt.Y, min(y, s.boxAt.Y+s.box.Height-box.Height))
		a, b := fyne.NewPos(x, y), fyne.NewPos(x+box.Width, y+box.Height)
		if !free(a, b) {
			continue
		}
		taken = append(taken, a, b)
		placed[l.Group] = true
		if n == len(s.pool) {
			s.pool = append(s.pool, canvas.NewText("", skyText))
			s.poolBg = append(s.poolBg, canvas.NewRectangle(skyLabelBg))
		}
		t, bg := s.pool[n], s.poolBg[n]
		n++
		t.Text, t.Color, t.TextSize, t.TextStyle = l.Text, col, size, style
		t.Move(a.AddXY(labelPad, 0))
		t.Resize(ts)
		bg.Move(a)
		bg.Resize(box)
		t.Show()
		bg.Show()
		t.Refresh()
		bg.Refresh()
	}
	for k := n; k < len(s.pool); k++ {
		s.pool[k].Hide()
		s.poolBg[k].Hide()
	}
	if len(s.gridText.Objects) != 2*len(s.pool) {
		// The backgrounds under every text.
		objs := make([]fyne.CanvasObject, 0, 2*len(s.pool))
		for _, r := range s.poolBg {
			objs = append(objs, r)
		}
		for _, t := range s.pool {
			objs = append(objs, t)
		}
		s.gridText.Objects = objs
		s.gridText.Refresh()
	}
}

// annotate writes the annotation of alert id's map m: its name, its 50 %
// and 90 % areas and its distance when the map gives one. Off the UI
// goroutine.
func (s *SkyView) annotate(ctx context.Context, id int64, m *skymap.Map) {
	name, err := s.core.Archive().Label(ctx, id)
	if err != nil {
		name = fmt.Sprintf("alert %d", id)
	}
	if i := strings.Index(name, " · RA "); i >= 0 {
		name = name[:i] // the position is the map's peak: the map says more
	}
	a := m.CredibleAreas(0.5, 0.9)
	line := fmt.Sprintf("50 %%: %s deg²   90 %%: %s deg²", area(a[0]), area(a[1]))
	if m.HasDistance && m.DistMean > 0 {
		line += fmt.Sprintf("   %.0f ± %.0f Mpc", m.DistMean, m.DistStd)
	}
	fyne.Do(func() {
		if s.Selected() != id {
			return
		}
		s.annotID = id
		s.annot.Text, s.annot2.Text = name, line
		s.annot.Refresh()
		s.annot2.Refresh()
		s.layoutAnnotation()
		s.redraw() // shows it with the map's next render
	})
}

// area writes an area in deg² to about three figures.
func area(a float64) string {
	switch {
	case a >= 100:
		return fmt.Sprintf("%.0f", a)
	case a >= 10:
		return fmt.Sprintf("%.1f", a)
	}
	return fmt.Sprintf("%.2f", a)
}

// queueOutlines queues for probing the alerts of pos that may carry a sky
// map (a position read from a map's summary has no error radius) and were
// not probed, and forgets the outlines of alerts no longer in pos; s.mu held.
func (s *SkyView) queueOutlines(pos []app.Position) {
	if s.core == nil {
		return
	}
	if s.outlines == nil {
		s.outlines = map[int64]*skymap.Outline{}
	}
	in := map[int64]bool{}
	for _, p := range pos {
		if p.Err != 0 {
			continue
		}
		in[p.ID] = true
		if _, ok := s.outlines[p.ID]; !ok {
			s.outlines[p.ID] = nil // nil until read: none yet
			s.probe = append(s.probe, p.ID)
		}
	}
	for id := range s.outlines {
		if !in[id] {
			delete(s.outlines, id)
		}
	}
	if len(s.probe) > 0 && !s.probing {
		s.probing = true
		go s.prober()
	}
}

// prober reads the queued alerts' maps one at a time and keeps their 90 %
// outlines, redrawing after each.
func (s *SkyView) prober() {
	for {
		s.mu.Lock()
		if len(s.probe) == 0 {
			s.probing = false
			s.mu.Unlock()
			return
		}
		id := s.probe[0]
		s.probe = s.probe[1:]
		s.mu.Unlock()
		select {
		case <-s.ctx.Done():
			return
		default:
		}
		o := s.loadOutline(id)
		if o == nil {
			continue
		}
		s.mu.Lock()
		if _, ok := s.outlines[id]; ok {
			s.outlines[id] = o
		}
		s.mu.Unlock()
		s.redraw()
	}
}

// loadOutline reads alert id's map and traces its 90 % outline (nil when it
// has no map).
func (s *SkyView) loadOutline(id int64) *skymap.Outline {
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	m, err := s.core.Archive().Skymap(ctx, id)
	if err != nil || m == nil {
		return nil
	}
	o := m.Outline(0.9)
	return &o
}

// Outlines is the number of other alerts' 90 % contours read.
func (s *SkyView) Outlines() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, o := range s.outlines {
		if o != nil {
			n++
		}
	}
	return n
}

// ShowAlert selects an alert and frames it ("Show on sky map"): centred,
// zoomed so that its error circle, or its map's 90 % region, fills about
// half the view. Until the user moves the view again, a new alert is
// framed as it arrives. UI goroutine.
func (s *SkyView) ShowAlert(id int64) {
	s.Select(id)
	s.mu.Lock()
	s.moved = false
	s.moves++
	moves := s.moves
	s.mu.Unlock()
	go s.frame(id, moves)
}

// userMoved notes that the user zoomed or panned.
func (s *SkyView) userMoved() {
	s.mu.Lock()
	s.moved = true
	s.moves++
	s.mu.Unlock()
}

// frame centres the view on alert id and zooms to its error circle or its
// map's 90 % region, unless the user moved the view since moves counted
// (off the UI goroutine: it may read the map).
func (s *SkyView) frame(id int64, moves int) {
	s.mu.Lock()
	i := sort.Search(len(s.pos), func(i int) bool { return s.pos[i].ID >= id })
	if i == len(s.pos) || s.pos[i].ID != id {
		i = -1
		for k, p := range s.pos { // not sorted by id after all?
			if p.ID == id {
				i = k
			}
		}
	}
	var p app.Position
	if i >= 0 {
		p = s.pos[i]
	}
	o := s.outlines[id]
	s.mu.Unlock()
	if i < 0 {
		return
	}
	if o == nil && p.Err == 0 && s.core != nil {
		o = s.loadOutline(id)
	}
	s.mu.Lock()
	if s.moves != moves {
		s.mu.Unlock()
		return
	}
	s.view = frameView(s.view, p, o)
	s.mu.Unlock()
	s.redraw()
}

// frameView is v framing an alert at p: its map's 90 % outline o (when not
// nil nor empty) at two thirds of the view (the whole sky when that is
// about zoom 1; across RA 0, where the plane cuts the region in two,
// centred on p at the zoom of its height), else its error circle at a
// quarter of the view's height in radius (along Dec), else zoom 16 around it.
func frameView(v skymap.Viewport, p app.Position, o *skymap.Outline) skymap.Viewport {
	w, h := float64(max(1, v.W)), float64(max(1, v.H))
	switch {
	case o != nil && len(o.Seg) > 0:
		bw, bh := math.Max(1e-9, float64(o.MaxX-o.MinX)), math.Max(1e-9, float64(o.MaxY-o.MinY))
		across := bw >= 0.5 // across RA 0, or nearly the whole sky
		z := h / w / (1.5 * bh)
		if !across {
			z = math.Min(z, 1/(1.5*bw))
		}
		if z < 1.25 { // about the whole sky anyway
			a := skymap.AllSky(v.W)
			a.H = v.H
			return a
		}
		if across {
			return v.Centred(float64(p.RA), float64(p.Dec), z)
		}
		v = v.Centred(0, 0, z)
		v.CX, v.CY = float64(o.MinX+o.MaxX)/2, float64(o.MinY+o.MaxY)/2
		return v
	case p.Err > 0:
		// The radius along Dec (towards the equator) at zoom 1, in pixels.
		ra, dec, e := float64(p.RA), float64(p.Dec), float64(p.Err)
		if dec > 0 {
			e = -e
		}
		one := v.Centred(ra, dec, 1)
		r1 := math.Abs(one.Project(ra, dec).Y - one.Project(ra, dec+e).Y)
		return v.Centred(ra, dec, h/4/math.Max(r1, 1e-9))
	}
	return v.Centred(float64(p.RA), float64(p.Dec), 16)
}
