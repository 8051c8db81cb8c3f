package ui

import (
	"context"
	"errors"
	"image"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/observe"
)

// Colours of the observability bar: the sky's state in the lower strip,
// and P(t) over it in the upper part (the sky's colour where P is 0).
var (
	obsDay      = color.NRGBA{0xe8, 0xd8, 0x9a, 0xff}
	obsTwilight = color.NRGBA{0x6c, 0x7c, 0xa8, 0xff}
	obsNight    = color.NRGBA{0x1c, 0x22, 0x40, 0xff}
	obsFull     = color.NRGBA{0x2e, 0xd1, 0x5c, 0xff} // P = 1
	obsMark     = color.NRGBA{0xff, 0xff, 0xff, 0xff} // the best instant
)

// obsSky is the colour of the sky's state at Sun altitude sun for a site
// whose night is at or below limit: day above 0°, night at or below the
// limit, twilight between.
func obsSky(sun, limit float64) color.NRGBA {
	switch {
	case sun > 0:
		return obsDay
	case sun > limit:
		return obsTwilight
	}
	return obsNight
}

// obsColour is P(t)'s colour: from the sky's colour (P = 0) to obsFull (P = 1).
func obsColour(p float64, sky color.NRGBA) color.NRGBA {
	p = max(0, min(1, p))
	if p > 0 {
		p = 0.25 + 0.75*p // any observable probability shows
	}
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*p + 0.5) }
	return color.NRGBA{mix(sky.R, obsFull.R), mix(sky.G, obsFull.G), mix(sky.B, obsFull.B), 0xff}
}

// ObsBarImage draws a result as a w×h bar, time left to right over the
// grid: the upper two thirds show P(t), the lower third the sky (day,
// twilight, night), a white tick marks the best instant.
func ObsBarImage(r *observe.Result, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	n := len(r.P)
	if n == 0 || w <= 0 || h <= 0 {
		return img
	}
	split := h * 2 / 3
	for x := range w {
		k := min(n-1, x*n/w)
		sky := obsSky(r.SunAlt[k], r.Site.SunAlt)
		top := obsColour(r.P[k], sky)
		if r.Best >= 0 && k == r.Best && (x == 0 || min(n-1, (x-1)*n/w) != k) {
			top = obsMark
		}
		for y := range h {
			c := sky
			if y < split {
				c = top
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// ObsBar is one site's observability over the next 24 hours: the bar and,
// beside it, "best 01:10–04:30 UTC, 63 %".
type ObsBar struct {
	widget.BaseWidget
	// Site is the site's name.
	Site *widget.Label
	// Text is "best 01:10–04:30 UTC, 63 %" or "not observable".
	Text  *widget.Label
	image *canvas.Image
	res   *observe.Result
}

// obsBarSize is the bar's drawn size.
var obsBarSize = fyne.NewSize(288, 16)

// NewObsBar is a bar showing r.
func NewObsBar(r *observe.Result) *ObsBar {
	b := &ObsBar{Site: widget.NewLabel(""), Text: widget.NewLabel("")}
	b.image = canvas.NewImageFromImage(image.NewNRGBA(image.Rect(0, 0, 1, 1)))
	b.image.ScaleMode = canvas.ImageScalePixels
	b.image.FillMode = canvas.ImageFillStretch
	b.image.SetMinSize(obsBarSize)
	b.ExtendBaseWidget(b)
	b.Set(r)
	return b
}

// Set shows r; on the UI goroutine.
func (b *ObsBar) Set(r *observe.Result) {
	b.res = r
	if r == nil {
		return
	}
	b.Site.SetText(r.Site.Name)
	b.Text.SetText(app.WindowText(r))
	b.image.Image = ObsBarImage(r, int(obsBarSize.Width), int(obsBarSize.Height))
	b.image.Refresh()
}

// CreateRenderer lays the site's name, the bar and the summary in a row.
func (b *ObsBar) CreateRenderer() fyne.WidgetRenderer {
	bar := container.NewCenter(b.image)
	return widget.NewSimpleRenderer(container.NewHBox(container.NewGridWrap(fyne.NewSize(150, b.Site.MinSize().Height), b.Site), bar, b.Text))
}

// obsBars is the event details' observability: one bar per site for the
// selected alert (with a sky map or a position), computed off the UI
// goroutine and shown when it is still the one selected. Sites changing,
// or the clock passing a grid step, recompute it.
type obsBars struct {
	u        *Window
	selected func() int64 // the alert the details show now
	box      *fyne.Container
	row      app.EventRow // the UI goroutine's
	grid     observe.Grid
}

// newObsBars is the details' observability rows, following the clock
// until the window closes (and the sites through sitesChanged).
func newObsBars(u *Window, selected func() int64) *obsBars {
	o := &obsBars{u: u, selected: selected, box: container.NewVBox()}
	o.box.Hide()
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-u.stop:
				return
			case <-t.C:
				fyne.Do(func() {
					if app.NextGrid(time.Now()) != o.grid {
						o.load(o.row)
					}
				})
			}
		}
	}()
	return o
}

// sitesChanged recomputes what is shown for the sites as they are now; it
// never blocks (the window's watch calls it).
func (o *obsBars) sitesChanged() { fyne.Do(func() { o.load(o.row) }) }

// load computes row's observability from every site, off the UI goroutine;
// it runs on the UI goroutine.
func (o *obsBars) load(row app.EventRow) {
	if row.ID != o.row.ID {
		o.box.Objects = nil // another alert's bars never show under this one
		o.box.Hide()
	}
	o.row = row
	if row.ID == 0 || !row.HasPosition && row.Skymap == nil {
		o.box.Hide()
		return
	}
	grid := app.NextGrid(time.Now())
	o.grid = grid
	go func() {
		ctx, cancel := context.WithTimeout(o.u.ctx, 30*time.Second)
		defer cancel()
		results, err := o.compute(ctx, row.ID, grid)
		fyne.Do(func() {
			if o.selected() != row.ID || o.grid != grid {
				return
			}
			o.show(results, err)
		})
	}()
}

// compute is row's observability from each site, the default first.
func (o *obsBars) compute(ctx context.Context, id int64, grid observe.Grid) ([]*observe.Result, error) {
	s := o.u.Core.Sites()
	l, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []*observe.Result
	for _, site := range sitesDefaultFirst(l) {
		r, err := s.ObserveFrom(ctx, id, site, grid)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// sitesDefaultFirst is the sites with the default one first.
func sitesDefaultFirst(l app.SiteList) []app.Site {
	var out []app.Site
	if d, ok := l.Find(l.Default); ok {
		out = append(out, d)
	}
	for _, s := range l.Sites {
		if s.Name != l.Default {
			out = append(out, s)
		}
	}
	return out
}

// show puts the results in the box; on the UI goroutine.
func (o *obsBars) show(results []*observe.Result, err error) {
	o.box.Objects = nil
	if errors.Is(err, app.ErrNoRegion) {
		o.box.Hide()
		return
	}
	head := widget.NewLabelWithStyle("Observable in the next 24 h:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	o.box.Add(head)
	switch {
	case err != nil:
		o.box.Add(widget.NewLabel("Not computed: " + err.Error()))
	case len(results) == 0:
		o.box.Hide() // no sites: Notifications → Observing sites… adds them
		return
	}
	for _, r := range results {
		o.box.Add(NewObsBar(r))
	}
	o.box.Show()
	o.box.Refresh()
}
