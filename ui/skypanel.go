package ui

import (
	"context"
	"fmt"
	"image/png"
	"io"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// eventSelector is what the Events panel offers the sky map: tell of a
// selection, select an alert, and tell of its filter (UI goroutine).
type eventSelector interface {
	OnSelect(func(id int64))
	SelectEvent(id int64)
	OnFilter(func(app.EventFilter))
	Filter() app.EventFilter
}

// skyRanges are the time ranges the sky map and the rate chart offer.
var skyRanges = []struct {
	name string
	span time.Duration // 0: all time
}{
	{"Last 24 hours", 24 * time.Hour}, {"Last 3 days", 72 * time.Hour}, {"Last 7 days", 7 * 24 * time.Hour},
	{"Last 30 days", 30 * 24 * time.Hour}, {"Last year", 365 * 24 * time.Hour}, {"All time", 0},
}

// SkyPanel is the alert monitor's sky map with the rate chart under it.
type SkyPanel struct {
	u       *Window
	content fyne.CanvasObject
	Sky     *SkyView
	Rates   *RateChart
	Range   *widget.Select
	Test    *widget.Check
	// Filtered makes the map and chart show the Events panel's filter.
	Filtered *widget.Check
	// Site shades what the default observing site can observe now.
	Site  *widget.Check
	Count *widget.Label
	// now is the clock for the time range (tests fix it).
	now func() time.Time

	mu     sync.Mutex
	span   time.Duration
	filter app.EventFilter // the Events panel's, as last told
	loaded skyLoad         // what the sky and chart show
	// siteCancel stops the site's shading (followSite).
	siteCancel context.CancelFunc
	// reload runs one refresh at a time, so that an older never ends last.
	reload sync.Mutex
}

// skyLoad is what a reload read: the newest alert then, the range, the
// test switch and the Events filter; a refresh with the same is skipped.
type skyLoad struct {
	last   int64
	span   time.Duration
	test   bool
	filter string // the Events filter applied (filterKey), "" for none
	day    int64  // the range's end, in days: a reload at least daily
}

func newSkyPanel(u *Window) *SkyPanel {
	p := &SkyPanel{u: u, now: time.Now, span: 7 * 24 * time.Hour, Count: widget.NewLabel("")}
	p.Sky = newSkyView(u.ctx, u.Core)
	p.Rates = newRateChart()
	var names []string
	for _, r := range skyRanges {
		names = append(names, r.name)
	}
	p.Range = widget.NewSelect(names, func(name string) {
		for _, r := range skyRanges {
			if r.name == name {
				p.mu.Lock()
				p.span = r.span
				p.mu.Unlock()
			}
		}
		go p.refresh(p.u.ctx)
	})
	p.Range.Selected = "Last 7 days" // no refresh before the panel is shown
	p.Test = widget.NewCheck("test/mock", func(bool) { go p.refresh(p.u.ctx) })
	p.Filtered = widget.NewCheck("Events filters", func(bool) {
		p.syncBar()
		go p.refresh(p.u.ctx)
	})
	p.Filtered.Checked = true
	p.Site = widget.NewCheck("Site now", func(on bool) {
		if on {
			go p.followSite()
		} else {
			p.siteStop()
		}
	})
	reset := widget.NewButton("Whole sky", p.Sky.ResetView)
	export := widget.NewButton("Export PNG…", p.showExport)
	bar := container.NewHBox(p.Filtered, p.Range, p.Test, p.Site, reset, export, p.Count)
	split := container.NewVSplit(p.Sky, p.Rates.content)
	split.Offset = 0.72
	p.content = container.NewBorder(bar, nil, nil, nil, split)
	return p
}

// Bind connects the sky map to an events list: a selection there shows the
// alert here, a click here selects it there, and its filter, when
// Filtered, selects the alerts here. UI goroutine.
func (p *SkyPanel) Bind(s eventSelector) {
	s.OnSelect(p.Sky.Select)
	p.Sky.OnPick = s.SelectEvent
	s.OnFilter(p.filterChanged)
	p.filterChanged(s.Filter())
}

// currentQuery is the query for the chosen range and test switch, or for
// the Events filter, ending now, and what it loads.
func (p *SkyPanel) currentQuery() (app.SkyQuery, skyLoad) {
	p.mu.Lock()
	span, f := p.span, p.filter
	p.mu.Unlock()
	test, filtered := false, false
	fyne.DoAndWait(func() { test, filtered = p.Test.Checked, p.Filtered.Checked })
	until := p.now().UTC()
	load := skyLoad{span: span, test: test, day: until.Unix() / 86400}
	if filtered {
		load.test, load.filter = false, filterKey(f)
		return f.SkyQuery(until, span), load
	}
	q := app.SkyQuery{Until: until, Test: test}
	if span > 0 {
		q.Since = until.Add(-span)
	}
	return q, load
}

// refresh reloads the positions and the rates when alerts arrived or the
// range, test switch or Events filter changed since the last load; off
// the UI goroutine.
func (p *SkyPanel) refresh(ctx context.Context) {
	p.reload.Lock()
	defer p.reload.Unlock()
	q, load := p.currentQuery()
	last, err := p.u.Core.Archive().LastID(ctx)
	if err != nil {
		return
	}
	load.last = last
	p.mu.Lock()
	same := p.loaded == load
	p.loaded = load
	p.mu.Unlock()
	if same {
		return
	}
	failed := func() {
		p.mu.Lock()
		p.loaded = skyLoad{} // try again next time
		p.mu.Unlock()
	}
	pos, err := p.u.Core.Archive().Positions(ctx, q)
	if err != nil {
		failed()
		return
	}
	p.Sky.SetPositions(pos)
	width := app.RateWidth(q.Since, q.Until)
	bins, err := p.u.Core.Archive().Rates(ctx, q, width)
	if err != nil {
		failed()
		return
	}
	d := rateData{bins: bins, since: q.Since, until: q.Until, width: width}
	if d.since.IsZero() {
		d.since = q.Until.Add(-24 * time.Hour)
		if len(bins) > 0 && bins[0].Start.Before(d.since) {
			d.since = bins[0].Start
		}
	}
	fyne.Do(func() {
		p.Count.SetText(fmt.Sprintf("%d alerts with a position", len(pos)))
		p.Rates.Set(d)
	})
}

// ExportPNG writes the sky map as shown, width pixels wide, as a PNG.
func (p *SkyPanel) ExportPNG(w io.Writer, width int) error {
	img, _, err := p.Sky.render(width)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

func (p *SkyPanel) showExport() {
	width := widget.NewEntry()
	width.SetText("2048")
	dialog.ShowForm("Export the sky map", "Choose file…", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Width (pixels)", width),
	}, func(ok bool) {
		if !ok {
			return
		}
		n, err := strconv.Atoi(width.Text)
		if err != nil || n < 16 || n > 8192 {
			showError(p.u.Win, fmt.Errorf("the width must be a whole number of pixels from 16 to 8192"))
			return
		}
		d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil || wc == nil {
				return
			}
			p.u.run(func(context.Context) error {
				defer wc.Close()
				return p.ExportPNG(wc, n)
			})
		}, p.u.Win)
		d.SetFileName("skymap.png")
		d.Show()
	}, p.u.Win)
}

// showOnSky shows the Sky map tab centred on the alert with this archive id.
func (u *Window) showOnSky(id int64) {
	if id == 0 {
		return
	}
	u.Tabs.SelectIndex(skyTab)
	u.Sky.Sky.ShowAlert(id)
}

// siteEvery is how often the default site's shading is drawn again while
// it is on: the sky turns a quarter of a degree a minute.
const siteEvery = time.Minute

// followSite shades what the default site can observe now, again every
// siteEvery, until Site is unticked or the window closes; with no default
// site it says so and unticks.
func (p *SkyPanel) followSite() {
	ctx, cancel := context.WithCancel(p.u.ctx)
	p.mu.Lock()
	if p.siteCancel != nil {
		p.siteCancel()
	}
	p.siteCancel = cancel
	p.mu.Unlock()
	t := time.NewTicker(siteEvery)
	defer t.Stop()
	for {
		site, ok, err := p.u.Core.Sites().Default(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil || !ok {
			p.Sky.SetSite(nil)
			fyne.Do(func() {
				p.Count.SetText("no default observing site: add one with Observing sites… (Notifications tab)")
				p.Site.SetChecked(false)
			})
			return
		}
		p.Sky.SetSite(site.SkyAt(p.now()))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// siteStop stops the shading.
func (p *SkyPanel) siteStop() {
	p.mu.Lock()
	if p.siteCancel != nil {
		p.siteCancel()
		p.siteCancel = nil
	}
	p.mu.Unlock()
	p.Sky.SetSite(nil)
}
