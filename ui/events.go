package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// eventsPage is how many archived events are read at a time.
const eventsPage = 200

// EventsPanel lists the archive, newest first, paged from the store.
type EventsPanel struct {
	u       *Window
	content fyne.CanvasObject

	Search *widget.Entry
	Role   *widget.Select
	Count  *widget.Label
	List   *widget.List
	Detail *widget.Label
	Params *widget.Table
	Raw    *widget.Entry

	mu      sync.Mutex
	rows    []app.EventRow
	more    bool
	loading bool
	filter  app.EventFilter
	gen     int // bumps when the filter changes, so stale pages are dropped
	params  [][3]string
}

func newEventsPanel(u *Window) *EventsPanel {
	p := &EventsPanel{u: u, more: true}
	p.Search = widget.NewEntry()
	p.Search.SetPlaceHolder("search: IVORN, trigger, mission, param values…")
	p.Search.OnChanged = func(string) { p.reload() }
	p.Role = widget.NewSelect([]string{"any role", "observation", "prediction", "utility", "test"}, nil)
	p.Role.SetSelected("any role")
	p.Role.OnChanged = func(string) { p.reload() }
	p.Count = widget.NewLabel("")
	p.List = widget.NewList(
		func() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.rows) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("2026-01-01 00:00:00  observation  ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_000000-000")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			p.mu.Lock()
			var r app.EventRow
			if id < len(p.rows) {
				r = p.rows[id]
			}
			near := id >= len(p.rows)-eventsPage/4 && p.more && !p.loading
			p.mu.Unlock()
			o.(*widget.Label).SetText(eventLine(r))
			if near {
				go p.loadMore(context.Background())
			}
		})
	p.List.OnSelected = func(id widget.ListItemID) {
		p.mu.Lock()
		r := p.rows[id]
		p.mu.Unlock()
		go p.show(r)
	}
	p.Detail = widget.NewLabel("Select an event to see its details.")
	p.Detail.Wrapping = fyne.TextWrapWord
	p.Params = widget.NewTable(
		func() (int, int) { p.mu.Lock(); defer p.mu.Unlock(); return len(p.params), 3 },
		func() fyne.CanvasObject { return widget.NewLabel("Packet_Type_long_name") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			p.mu.Lock()
			text := ""
			if id.Row < len(p.params) {
				text = p.params[id.Row][id.Col]
			}
			p.mu.Unlock()
			o.(*widget.Label).SetText(text)
		})
	p.Params.SetColumnWidth(0, 220)
	p.Params.SetColumnWidth(1, 220)
	p.Params.SetColumnWidth(2, 80)
	p.Raw = widget.NewMultiLineEntry()
	p.Raw.Wrapping = fyne.TextWrapOff
	p.Raw.TextStyle = fyne.TextStyle{Monospace: true}
	detail := container.NewAppTabs(
		container.NewTabItem("Summary", container.NewVScroll(p.Detail)),
		container.NewTabItem("Params", p.Params),
		container.NewTabItem("XML", p.Raw),
	)
	top := container.NewBorder(nil, nil, nil, container.NewHBox(p.Role, p.Count), p.Search)
	p.content = container.NewBorder(top, nil, nil, nil, container.NewHSplit(p.List, detail))
	return p
}

func eventLine(r app.EventRow) string {
	if r.IVORN == "" {
		return ""
	}
	line := r.Received.Local().Format("2006-01-02 15:04:05") + "  " + fmt.Sprintf("%-11s", r.Role) + "  "
	if r.AlertType != "" || r.Trigger != "" {
		line += strings.TrimSpace(r.AlertType+" "+r.Trigger) + "  "
	}
	return line + r.IVORN
}

// reload starts over from the newest event with the current filter.
func (p *EventsPanel) reload() {
	f := app.EventFilter{Text: strings.TrimSpace(p.Search.Text)}
	if r := p.Role.Selected; r != "" && r != "any role" {
		f.Role = r
	}
	p.mu.Lock()
	p.filter = f
	p.gen++
	p.rows, p.more, p.loading = nil, true, false
	p.mu.Unlock()
	p.List.Refresh()
	go p.loadMore(context.Background())
}

// loadMore appends the next page; it runs off the UI goroutine.
func (p *EventsPanel) loadMore(ctx context.Context) {
	p.mu.Lock()
	if p.loading || !p.more {
		p.mu.Unlock()
		return
	}
	p.loading = true
	f, gen := p.filter, p.gen
	if n := len(p.rows); n > 0 {
		f.BeforeID = p.rows[n-1].ID
	}
	p.mu.Unlock()
	rows, err := p.u.Core.Events(ctx, f, eventsPage)
	p.mu.Lock()
	if gen != p.gen {
		p.mu.Unlock()
		return
	}
	p.loading = false
	if err != nil {
		p.mu.Unlock()
		do(func() { p.Count.SetText("error: " + err.Error()) })
		return
	}
	p.rows = append(p.rows, rows...)
	p.more = len(rows) == eventsPage
	n, more := len(p.rows), p.more
	p.mu.Unlock()
	do(func() {
		if more {
			p.Count.SetText(fmt.Sprintf("%d+ events", n))
		} else {
			p.Count.SetText(fmt.Sprintf("%d events", n))
		}
		p.List.Refresh()
	})
}

// show loads one event's details off the UI goroutine.
func (p *EventsPanel) show(r app.EventRow) {
	d, err := p.u.Core.EventDetail(context.Background(), r.IVORN)
	if err != nil {
		do(func() { p.Detail.SetText("Cannot show " + r.IVORN + ": " + err.Error()) })
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "IVORN: %s\nRole: %s\nAuthor: %s\nDate: %s\nReceived: %s from %s\n", d.Summary.IVORN, d.Summary.Role,
		orDash(d.Summary.Author), orDash(d.Summary.Date), d.Row.Received.Local().Format(time.DateTime), d.Row.Source)
	if d.Summary.HasPosition {
		fmt.Fprintf(&b, "Position: RA %.5f°, Dec %.5f°, error radius %.4g°\n", d.Summary.RA, d.Summary.Dec, d.Summary.ErrorRadius)
	} else {
		b.WriteString("Position: none given\n")
	}
	summaryLines(&b, d.Row)
	fmt.Fprintf(&b, "Params: %d\n", len(d.Summary.Params))
	if d.Summary.Description != "" {
		b.WriteString("\n" + d.Summary.Description + "\n")
	}
	params := make([][3]string, 0, len(d.Summary.Params))
	for _, prm := range d.Summary.Params {
		name := prm.Name
		if prm.Group != "" {
			name = prm.Group + " / " + prm.Name
		}
		params = append(params, [3]string{name, prm.Value, prm.Unit})
	}
	p.mu.Lock()
	p.params = params
	p.mu.Unlock()
	text := b.String()
	do(func() {
		p.Detail.SetText(text)
		p.Raw.SetText(string(d.Raw))
		p.Params.Refresh()
	})
}

// summaryLines writes the one event model's fields that the row has.
func summaryLines(b *strings.Builder, r app.EventRow) {
	for _, f := range [][2]string{{"Format", r.Format}, {"Mission", r.Mission}, {"Trigger", r.Trigger}, {"Alert type", r.AlertType},
		{"Significance", r.Significance}, {"Note", r.Note}} {
		if f[1] != "" {
			fmt.Fprintf(b, "%s: %s\n", f[0], f[1])
		}
	}
	if r.Retraction {
		b.WriteString("Retraction: this alert withdraws its trigger\n")
	}
	if r.Test {
		b.WriteString("Test or mock alert\n")
	}
	if !r.EventTime.IsZero() {
		fmt.Fprintf(b, "Event time: %s UTC\n", r.EventTime.UTC().Format("2006-01-02 15:04:05.000"))
	}
	if m := r.Skymap; m != nil {
		fmt.Fprintf(b, "Sky map: most probable RA %.3f°, Dec %.3f°; 90%% area %.4g deg², 50%% area %.4g deg²\n", m.RA, m.Dec, m.Area90, m.Area50)
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (p *EventsPanel) refresh(ctx context.Context) {
	p.mu.Lock()
	empty := len(p.rows) == 0 && !p.loading
	p.mu.Unlock()
	if empty {
		p.mu.Lock()
		p.more = true
		p.mu.Unlock()
		p.loadMore(ctx)
		return
	}
	// New events arrive at the top: fetch what is newer than the first row.
	p.mu.Lock()
	f, gen := p.filter, p.gen
	var newest int64
	if len(p.rows) > 0 {
		newest = p.rows[0].ID
	}
	p.mu.Unlock()
	f.AfterID = newest
	rows, err := p.u.Core.Events(ctx, f, eventsPage)
	if err != nil || len(rows) == 0 {
		return
	}
	p.mu.Lock()
	if gen == p.gen {
		p.rows = append(rows, p.rows...)
	}
	p.mu.Unlock()
	do(p.List.Refresh)
}

// Rows returns the events loaded so far; tests use it.
func (p *EventsPanel) Rows() []app.EventRow {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]app.EventRow(nil), p.rows...)
}
