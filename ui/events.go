package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// The Events panel's two views.
const (
	modeTriggers = "Triggers"
	modeAlerts   = "Alerts"
)

// eventsPage is how many archived events are read at a time.
const eventsPage = 200

// Delays of the Events panel: a search waits for typing to pause; a burst
// of arrivals is gathered into one refresh.
const (
	searchDelay  = 150 * time.Millisecond
	arrivalDelay = 20 * time.Millisecond
)

// EventsPanel is the alert monitor: the archive as a sortable table, paged
// by keyset, with search, filters, live arrivals and an alert's details.
// Its state changes only on the UI goroutine; SQL runs off it.
type EventsPanel struct {
	u       *Window
	content fyne.CanvasObject

	Filters *eventFilters
	Count   *widget.Label
	// NewRows appears when alerts arrived while the table is scrolled
	// down; a tap shows them.
	NewRows *widget.Button
	List    *widget.List
	// Triggers is the trigger view, shown first; Mode switches between it
	// and the list of alerts (List).
	Triggers *TriggerView
	Mode     *widget.RadioGroup
	Detail   *eventDetail
	header   []*widget.Button

	filter  app.EventFilter
	gen     int // bumps when the filter changes, so stale pages are dropped
	cancel  context.CancelFunc
	timer   *time.Timer
	rows    []app.EventRow
	cursor  app.EventCursor
	more    bool
	loading bool
	loaded  bool // the first page of the current filter is shown
	// newest is the newest archive id when the first page was read, and
	// page counts the first pages shown: arrivals after newest are "new".
	newest   int64
	page     int
	selID    int64
	onSelect []func(id int64)
	onFilter []func(app.EventFilter)

	counts   countCache
	arrivals chan struct{}
	now      func() time.Time
}

func newEventsPanel(u *Window) *EventsPanel {
	p := &EventsPanel{u: u, more: true, now: time.Now, arrivals: make(chan struct{}, 1)}
	p.filter = app.EventFilter{HideTest: !u.Kept().ShowTest} // the test/mock box as it was left
	p.Count = widget.NewLabel("")
	p.NewRows = widget.NewButton("", func() { p.showNew() })
	p.NewRows.Importance = widget.HighImportance
	p.NewRows.Hide()
	p.List = widget.NewList(
		func() int { return len(p.rows) },
		newEventRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			var r app.EventRow
			if id < len(p.rows) {
				r = p.rows[id]
			}
			setEventRow(o, r, r.ID != 0 && r.ID == p.selID, p.now())
			if id >= len(p.rows)-eventsPage/4 {
				p.loadMore()
			}
		})
	p.List.OnSelected = func(id widget.ListItemID) {
		p.List.UnselectAll() // the selection is the event's, drawn by setEventRow
		if id < len(p.rows) {
			p.SelectEvent(p.rows[id].ID)
		}
	}
	header, btns := newEventsHeader(p.sortBy)
	p.header = btns
	markSort(p.header, p.filter.Sort, p.filter.Asc)
	p.Filters = newEventFilters(p)
	p.Detail = newEventDetail(p)
	table := container.NewBorder(container.NewHScroll(header), nil, nil, nil, p.List)
	p.Triggers = newTriggerView(p)
	table.Hide()
	p.Mode = widget.NewRadioGroup([]string{modeTriggers, modeAlerts}, func(m string) {
		if m == modeTriggers {
			table.Hide()
			p.Triggers.content.Show()
		} else {
			p.Triggers.content.Hide()
			table.Show()
		}
	})
	p.Mode.Horizontal = true
	p.Mode.Required = true
	p.Mode.SetSelected(modeTriggers)
	top := container.NewBorder(container.NewHBox(p.Mode, p.Triggers.Hidden), nil, nil, nil,
		container.NewStack(p.Triggers.content, table))
	split := container.NewVSplit(top, p.Detail.content)
	split.Offset = 0.55
	p.content = container.NewBorder(p.Filters.content, nil, nil, nil, split)
	return p
}

// OnSelect registers f to be told, on the UI goroutine, of each event
// selected (its archive id).
func (p *EventsPanel) OnSelect(f func(id int64)) { p.onSelect = append(p.onSelect, f) }

// OnFilter registers f to be told, on the UI goroutine, of each filter
// the panel applies (a new search, range, sort or the same again).
func (p *EventsPanel) OnFilter(f func(app.EventFilter)) { p.onFilter = append(p.onFilter, f) }

// Filter is the current filter; call it on the UI goroutine.
func (p *EventsPanel) Filter() app.EventFilter { return p.filter }

// Selected is the selected event's archive id, 0 for none.
func (p *EventsPanel) Selected() int64 { return p.selID }

// SelectEvent selects the event with this archive id, whether or not it is
// in the rows loaded, and shows its details; call it on the UI goroutine.
func (p *EventsPanel) SelectEvent(id int64) {
	if id == p.selID {
		return
	}
	p.selID = id
	for i, r := range p.rows {
		if r.ID == id {
			p.List.ScrollTo(i) // a no-op when the row is in view
			break
		}
	}
	p.List.Refresh()
	p.Detail.load(id)
	for _, f := range p.onSelect {
		f(id)
	}
}

// sortBy sorts by a column; the same column again reverses the order.
func (p *EventsPanel) sortBy(sort string) {
	f := p.filter
	if f.Sort == sort {
		f.Asc = !f.Asc
	} else {
		f.Sort, f.Asc = sort, false
	}
	markSort(p.header, f.Sort, f.Asc)
	p.setFilter(f, 0)
}

// setFilter shows the list for f after delay; a newer filter cancels the
// query of an older one. It runs on the UI goroutine.
func (p *EventsPanel) setFilter(f app.EventFilter, delay time.Duration) {
	p.filter = f
	p.gen++
	if p.cancel != nil {
		p.cancel()
	}
	if p.timer != nil {
		p.timer.Stop()
	}
	ctx, cancel := context.WithCancel(p.u.ctx)
	p.cancel = cancel
	gen := p.gen
	p.timer = time.AfterFunc(delay, func() { p.loadFirst(ctx, gen, f, true) })
	p.Triggers.reload()
	for _, h := range p.onFilter {
		h(f)
	}
}

// loadFirst reads the first page of f off the UI goroutine and shows it,
// then its count (which can take longer); top scrolls the table up.
func (p *EventsPanel) loadFirst(ctx context.Context, gen int, f app.EventFilter, top bool) {
	newest, err := p.newestID(ctx) // before the page: an alert is never both missed and not new
	var rows []app.EventRow
	if err == nil {
		rows, err = p.u.Core.Archive().Events(ctx, f.Query(app.EventCursor{}, eventsPage))
	}
	// Not ctx.Err(): the caller's context may end before fyne.Do runs
	// these (the real driver queues them); a newer filter bumps gen.
	current := func() bool { return gen == p.gen }
	fyne.Do(func() {
		if !current() {
			return
		}
		if err != nil {
			p.Count.SetText("error: " + err.Error())
			return
		}
		p.rows, p.more, p.loading, p.loaded = rows, len(rows) == eventsPage, false, true
		p.newest, p.page = newest, p.page+1
		if len(rows) > 0 {
			p.cursor = f.CursorAfter(rows[len(rows)-1])
		}
		p.NewRows.Hide()
		if top {
			p.List.ScrollToTop()
		}
		p.List.Refresh()
	})
	if err != nil {
		return
	}
	n, cerr := p.counts.count(ctx, p.u.Core, f)
	fyne.Do(func() {
		if !current() {
			return
		}
		if cerr != nil {
			p.Count.SetText("error: " + cerr.Error())
			return
		}
		p.setCount(n)
	})
}

// newestID is the newest archive id, 0 for an empty archive.
func (p *EventsPanel) newestID(ctx context.Context) (int64, error) {
	rows, err := p.u.Core.Archive().Events(ctx, app.EventFilter{}.Query(app.EventCursor{}, 1))
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	return rows[0].ID, nil
}

// loadMore reads the next page by keyset; it runs on the UI goroutine and
// queries off it.
func (p *EventsPanel) loadMore() {
	if p.loading || !p.more || !p.loaded {
		return
	}
	p.loading = true
	f, gen, cur := p.filter, p.gen, p.cursor
	go func() {
		rows, err := p.u.Core.Archive().Events(p.u.ctx, f.Query(cur, eventsPage))
		fyne.Do(func() {
			if gen != p.gen || p.cursor != cur {
				return
			}
			p.loading = false
			if err != nil {
				p.Count.SetText("error: " + err.Error())
				return
			}
			p.rows = append(p.rows, rows...)
			p.more = len(rows) == eventsPage
			if len(rows) > 0 {
				p.cursor = f.CursorAfter(rows[len(rows)-1])
			}
			p.List.Refresh()
		})
	}()
}

func (p *EventsPanel) setCount(n int64) {
	text := thousands(n) + " events"
	if n == 1 {
		text = "1 event"
	}
	if p.Count.Text != text {
		p.Count.SetText(text)
		p.Filters.row1.Refresh() // lay out the count's new width
	}
}

// Arrived tells the panel that alerts were archived; it never blocks.
func (p *EventsPanel) Arrived() {
	p.Triggers.reload()
	select {
	case p.arrivals <- struct{}{}:
	default:
	}
}

// live follows arrivals until stop closes: after a burst settles, the
// count is refreshed and, when the table shows its top, the first page;
// scrolled down, the table keeps its rows and offers the new ones.
func (p *EventsPanel) live(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-p.arrivals:
		}
		select {
		case <-stop:
			return
		case <-time.After(arrivalDelay):
		}
		var f app.EventFilter
		var gen, page int
		var newest int64
		atTop := false
		fyne.DoAndWait(func() {
			f, gen, page, newest = p.filter, p.gen, p.page, p.newest
			atTop = p.List.GetScrollOffset() <= 0 || len(p.rows) == 0
		})
		ctx := p.u.ctx
		if atTop {
			p.loadFirst(ctx, gen, f, false)
			continue
		}
		n, err := p.counts.count(ctx, p.u.Core, f)
		g := f
		g.Sort, g.Asc, g.AfterID = "", false, newest
		var fresh int64
		if err == nil {
			fresh, err = p.u.Core.Archive().Count(ctx, g.Query(app.EventCursor{}, 0))
		}
		if err != nil {
			continue
		}
		fyne.Do(func() {
			if gen != p.gen {
				return
			}
			p.setCount(n)
			if page == p.page && fresh > 0 { // not when a first page was read since
				p.NewRows.SetText(thousands(fresh) + " new ↑")
				p.NewRows.Show()
				p.Filters.row1.Refresh()
			}
		})
	}
}

// showNew shows the newest alerts at the top of the table.
func (p *EventsPanel) showNew() {
	p.NewRows.Hide()
	p.setFilter(p.filter, 0)
}

// refresh loads the first page the first time the panel is shown; after
// that arrivals are pushed (live), never polled.
func (p *EventsPanel) refresh(ctx context.Context) {
	var f app.EventFilter
	var gen int
	loaded := false
	fyne.DoAndWait(func() { f, gen, loaded = p.filter, p.gen, p.loaded || p.timer != nil })
	if !loaded {
		p.loadFirst(ctx, gen, f, false)
	}
}

// Rows returns the events loaded so far; call it on the UI goroutine.
func (p *EventsPanel) Rows() []app.EventRow { return append([]app.EventRow(nil), p.rows...) }
