package ui

import (
	"context"
	"fmt"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/notice"
)

// triggersShown bounds the triggers the view lists, the latest first.
const triggersShown = 2000

// tonightShown is how many of the latest triggers get the default site's
// "obs. tonight" figure (each computed once per alert and grid step).
const tonightShown = 50

// triggerColumn is one column of the trigger view: a title, the width it
// needs at least, and its text for a trigger.
type triggerColumn struct {
	title string
	width float32
	cell  func(t app.TriggerState, now time.Time) string
}

// tonightColumn is the title of the column the view fills from the
// default site's observability.
const tonightColumn = "Obs. tonight"

var triggerColumns = []triggerColumn{
	{"Last alert", 100, func(t app.TriggerState, now time.Time) string { return tableTime(t.LastReceived, now) }},
	{"Trigger", 100, func(t app.TriggerState, _ time.Time) string { return t.Trigger }},
	{"Mission", 80, func(t app.TriggerState, _ time.Time) string { return t.Mission }},
	{"State", 165, func(t app.TriggerState, _ time.Time) string { return triggerStateText(t) }},
	{"Class", 90, func(t app.TriggerState, _ time.Time) string { return classText(t) }},
	{"Significance", 115, func(t app.TriggerState, _ time.Time) string { return notice.FormatFAR(t.FAR) }},
	{"Distance", 90, func(t app.TriggerState, _ time.Time) string { return triggerDistance(t) }},
	{"90 % area", 75, func(t app.TriggerState, _ time.Time) string { return triggerArea(t) }},
	{"Position", 150, func(t app.TriggerState, _ time.Time) string { return triggerPosition(t) }},
	{tonightColumn, 85, nil},
}

// triggerStateText is a trigger's latest state: RETRACTED, or its latest
// alert type and how many alerts it had.
func triggerStateText(t app.TriggerState) string {
	alerts := t.Alerts()
	n := len(alerts) + t.More
	last := ""
	if len(alerts) > 0 {
		last = alerts[len(alerts)-1]
	}
	switch {
	case t.Retracted:
		last = "RETRACTED"
	case last == "":
		last = "alert"
	}
	if n > 1 {
		return fmt.Sprintf("%s (%d alerts)", last, n)
	}
	return last
}

// classText is an LVK trigger's most probable class: "BNS 95 %".
func classText(t app.TriggerState) string {
	if t.GW == nil || len(t.GW.Classification) == 0 {
		return ""
	}
	names := make([]string, 0, len(t.GW.Classification))
	for k := range t.GW.Classification {
		names = append(names, k)
	}
	sort.Strings(names)
	best := names[0]
	for _, k := range names {
		if t.GW.Classification[k] > t.GW.Classification[best] {
			best = k
		}
	}
	return best + " " + percent(t.GW.Classification[best])
}

func triggerDistance(t app.TriggerState) string {
	return rowDistance(app.EventRow{Skymap: t.Skymap})
}

func triggerArea(t app.TriggerState) string {
	switch {
	case t.Skymap != nil && t.Skymap.Area90 > 0:
		return area(t.Skymap.Area90) + " deg²"
	case t.HasPosition && t.ErrorDeg > 0:
		return errorText(t.ErrorDeg)
	}
	return ""
}

func triggerPosition(t app.TriggerState) string {
	if !t.HasPosition {
		return ""
	}
	return sexaRA(t.RA) + " " + sexaDec(t.Dec)
}

// stretchLayout places its objects side by side: each column gets its
// width, and the room left over is shared out in proportion, so that
// nothing is cut while the window has space; with less room than the
// widths, every column gives up the same share (texts end in "…"). The
// widths may change (columnWidths.fit); the first object, the row's
// background, spans them all. It never asks for more than minTableWidth,
// so that a table never makes the window wider than a screen.
type stretchLayout struct {
	widths *columnWidths
	gen    int // the widths' generation last laid out
}

// narrowColumn is the width down to which a squeezed table's wide
// columns give room first.
const narrowColumn = 64

// shareWidths fits widths ws to width: room left over is shared in
// proportion; room missing is taken from the columns wider than
// narrowColumn, in proportion to how much wider, then from all alike.
func shareWidths(ws []float32, width float32) []float32 {
	var sum, slack float32
	for _, w := range ws {
		sum += w
		slack += max(0, w-narrowColumn)
	}
	out := make([]float32, len(ws))
	switch {
	case sum <= 0:
	case width >= sum:
		for i, w := range ws {
			out[i] = w * width / sum
		}
	case sum-width <= slack:
		for i, w := range ws {
			out[i] = w - (sum-width)*max(0, w-narrowColumn)/slack
		}
	default:
		for i, w := range ws {
			out[i] = w * width / sum
		}
	}
	return out
}

// minTableWidth is the width a table asks of the window at least.
const minTableWidth = 480

func (l *stretchLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.gen = l.widths.gen
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
	ws := shareWidths(l.widths.w, size.Width)
	x := float32(0)
	for i, o := range objs[1:] {
		w := ws[i]
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (l *stretchLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs[1:] {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(minTableWidth, h)
}

// columnWidths are a table's column widths, shared by its header and rows;
// UI goroutine.
type columnWidths struct {
	w   []float32
	gen int // bumped by each change of w
}

// relayout lays out a row again if the widths changed since it last was.
func (c *columnWidths) relayout(row *fyne.Container) {
	if l, ok := row.Layout.(*stretchLayout); ok && l.gen != c.gen {
		l.Layout(row.Objects, row.Size())
	}
}

// newColumnWidths starts from the given widths.
func newColumnWidths(ws []float32) *columnWidths { return &columnWidths{w: ws} }

// fit sets each column as wide as its title and the texts it shows need
// (texts[i] are column i's), at least min: so that empty columns give
// their room to full ones. It reports whether a width changed.
func (c *columnWidths) fit(titles []string, texts [][]string, min float32) bool {
	pad := 2*theme.InnerPadding() + 2
	size := theme.TextSize()
	changed := false
	for i, title := range titles {
		w := fyne.MeasureText(title, size, fyne.TextStyle{Bold: true}).Width
		for _, t := range texts[i] {
			if t != "" {
				w = max(w, fyne.MeasureText(t, size, fyne.TextStyle{}).Width)
			}
		}
		w = max(w+pad, min)
		if c.w[i] != w {
			c.w[i], changed = w, true
		}
	}
	if changed {
		c.gen++
	}
	return changed
}

func triggerWidths() []float32 {
	ws := make([]float32, len(triggerColumns))
	for i, c := range triggerColumns {
		ws[i] = c.width
	}
	return ws
}

// TriggerView is the Events panel's first view: one row per trigger (an
// LVK superevent, a GRB trigger, a neutrino event; an alert without one is
// its own), with its latest state. A row opens the trigger's latest alert,
// with its timeline, in the details.
type TriggerView struct {
	p       *EventsPanel
	content fyne.CanvasObject

	List *widget.List
	// Hidden says how many mock and test triggers the filter hides.
	Hidden *widget.Label

	rows     []app.TriggerState // UI goroutine
	tonight  map[string]string  // "obs. tonight" by trigger; UI goroutine
	selected string
	widths   *columnWidths
	header   *fyne.Container
	// restore is the trigger selected when the window last closed, selected
	// again once the list shows it.
	restore string
	kick    chan struct{}
}

func newTriggerView(p *EventsPanel) *TriggerView {
	v := &TriggerView{p: p, kick: make(chan struct{}, 1), restore: p.u.Kept().Selected, widths: newColumnWidths(triggerWidths())}
	v.Hidden = widget.NewLabel("")
	v.List = widget.NewList(
		func() int { return len(v.rows) },
		func() fyne.CanvasObject {
			objs := []fyne.CanvasObject{canvas.NewRectangle(theme.Color(theme.ColorNameBackground))}
			for range triggerColumns {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				objs = append(objs, l)
			}
			return container.New(&stretchLayout{widths: v.widths}, objs...)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(v.rows) {
				v.setRow(o, v.rows[id], p.now())
			}
		})
	v.List.OnSelected = func(id widget.ListItemID) {
		v.List.UnselectAll()
		if id < len(v.rows) {
			v.Select(v.rows[id].Trigger)
		}
	}
	header := []fyne.CanvasObject{canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))}
	for _, c := range triggerColumns {
		header = append(header, widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	v.header = container.New(&stretchLayout{widths: v.widths}, header...)
	v.content = container.NewBorder(v.header, nil, nil, nil, v.List)
	go v.loop()
	v.reload()
	return v
}

// setRow shows trigger t in a row; a retracted trigger's state is red and
// bold, the selected row highlighted.
func (v *TriggerView) setRow(o fyne.CanvasObject, t app.TriggerState, now time.Time) {
	row := o.(*fyne.Container)
	v.widths.relayout(row)
	objs := row.Objects
	bg := objs[0].(*canvas.Rectangle)
	want := theme.Color(theme.ColorNameBackground)
	if t.Trigger == v.selected {
		want = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != want {
		bg.FillColor = want
		bg.Refresh()
	}
	for i, c := range triggerColumns {
		l := objs[i+1].(*widget.Label)
		var text string
		if c.cell != nil {
			text = c.cell(t, now)
		} else {
			text = v.tonight[t.Trigger]
		}
		if c.title == "Trigger" && t.Test {
			text += " (mock)"
		}
		imp, style := widget.MediumImportance, fyne.TextStyle{}
		if t.Retracted && (c.title == "State" || c.title == "Trigger") {
			imp, style = widget.DangerImportance, fyne.TextStyle{Bold: true}
		}
		if l.Text != text || l.Importance != imp || l.TextStyle != style {
			l.Text, l.Importance, l.TextStyle = text, imp, style
			l.Refresh()
		}
	}
}

// Rows are the triggers listed; call it on the UI goroutine.
func (v *TriggerView) Rows() []app.TriggerState { return v.rows }

// Selected is the selected trigger's key ("" for none).
func (v *TriggerView) Selected() string { return v.selected }

// Select selects a trigger and shows its latest alert in the details; UI
// goroutine.
func (v *TriggerView) Select(key string) {
	v.selected, v.restore = key, ""
	v.p.u.KeepSelected(key)
	for _, t := range v.rows {
		if t.Trigger == key {
			v.p.SelectEvent(t.LatestID)
		}
	}
	v.List.Refresh()
}

// mark highlights the trigger of the alert shown in the details, without
// selecting anything; UI goroutine.
func (v *TriggerView) mark(key string) {
	if v.selected != key {
		v.selected = key
		v.List.Refresh()
	}
}

// reload asks for the list to be read again; it never blocks.
func (v *TriggerView) reload() {
	select {
	case v.kick <- struct{}{}:
	default:
	}
}

// loop reads the triggers again, off the UI goroutine, each time it is
// kicked (an alert archived, the filter changed), until the window closes.
func (v *TriggerView) loop() {
	for {
		select {
		case <-v.p.u.ctx.Done():
			return
		case <-v.kick:
		}
		var showTest bool
		fyne.DoAndWait(func() { showTest = !v.p.filter.HideTest })
		ctx, cancel := context.WithTimeout(v.p.u.ctx, 10*time.Second)
		rows, err := v.p.u.Core.Archive().Triggers(ctx, app.TriggerFilter{Test: showTest, Limit: triggersShown})
		hidden := 0
		if err == nil && !showTest {
			all, aerr := v.p.u.Core.Archive().Triggers(ctx, app.TriggerFilter{Test: true, Limit: triggersShown})
			if aerr == nil {
				hidden = len(all) - len(rows)
			}
		}
		cancel()
		fyne.Do(func() {
			if err != nil {
				v.Hidden.SetText("error: " + err.Error())
				return
			}
			v.rows = rows
			v.fit()
			v.List.Refresh()
			if v.restore != "" {
				for _, t := range rows {
					if t.Trigger == v.restore {
						v.Select(t.Trigger)
						break
					}
				}
			}
			text := ""
			if hidden > 0 {
				text = fmt.Sprintf("%d mock hidden", hidden)
			}
			v.Hidden.SetText(text)
		})
		if err == nil {
			v.loadTonight(rows)
		}
		select { // a burst of arrivals is one reload
		case <-v.p.u.ctx.Done():
			return
		case <-time.After(arrivalDelay):
		}
	}
}

// loadTonight computes, off the UI goroutine, how much of each of the
// latest triggers the default site can observe in the next 24 hours, and
// shows it; nothing when there is no default site.
func (v *TriggerView) loadTonight(rows []app.TriggerState) {
	ctx, cancel := context.WithTimeout(v.p.u.ctx, 30*time.Second)
	defer cancel()
	out := map[string]string{}
	for i, t := range rows {
		if i == tonightShown || ctx.Err() != nil {
			break
		}
		pct, ok, err := v.p.u.Core.Sites().Tonight(ctx, t.LatestID)
		if err != nil {
			continue
		}
		if !ok {
			if _, has, _ := v.p.u.Core.Sites().Default(ctx); !has {
				return // no default site: the column stays empty
			}
			continue
		}
		out[t.Trigger] = fmt.Sprintf("%.0f %%", pct)
	}
	fyne.Do(func() {
		v.tonight = out
		v.fit()
		v.List.Refresh()
	})
}

// fitRows is how many of the latest triggers the columns are fitted to.
const fitRows = 200

// fit sets the columns as wide as the latest triggers' texts need; UI
// goroutine.
func (v *TriggerView) fit() {
	titles := make([]string, len(triggerColumns))
	texts := make([][]string, len(triggerColumns))
	now := v.p.now()
	for i, c := range triggerColumns {
		titles[i] = c.title
		for k, t := range v.rows {
			if k == fitRows {
				break
			}
			text := v.tonight[t.Trigger]
			if c.cell != nil {
				text = c.cell(t, now)
			}
			if c.title == "Trigger" && t.Test {
				text += " (mock)"
			}
			texts[i] = append(texts[i], text)
		}
	}
	if v.widths.fit(titles, texts, 40) {
		v.widths.relayout(v.header)
		v.header.Refresh()
	}
}
