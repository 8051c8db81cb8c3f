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
	{"Last alert", 120, func(t app.TriggerState, now time.Time) string { return tableTime(t.LastReceived, now) }},
	{"Trigger", 120, func(t app.TriggerState, _ time.Time) string { return t.Trigger }},
	{"Mission", 90, func(t app.TriggerState, _ time.Time) string { return t.Mission }},
	{"State", 185, func(t app.TriggerState, _ time.Time) string { return triggerStateText(t) }},
	{"Class", 110, func(t app.TriggerState, _ time.Time) string { return classText(t) }},
	{"Significance", 130, func(t app.TriggerState, _ time.Time) string { return notice.FormatFAR(t.FAR) }},
	{"Distance", 105, func(t app.TriggerState, _ time.Time) string { return triggerDistance(t) }},
	{"90 % area", 85, func(t app.TriggerState, _ time.Time) string { return triggerArea(t) }},
	{"Position", 160, func(t app.TriggerState, _ time.Time) string { return triggerPosition(t) }},
	{tonightColumn, 95, nil},
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
// nothing is cut while the window has space. The first object, the row's
// background, spans them all.
type stretchLayout struct{ widths []float32 }

func (l stretchLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
	var min float32
	for _, w := range l.widths {
		min += w
	}
	scale := float32(1)
	if size.Width > min && min > 0 {
		scale = size.Width / min
	}
	x := float32(0)
	for i, o := range objs[1:] {
		w := l.widths[i] * scale
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (l stretchLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w, h := float32(0), float32(0)
	for i, o := range objs[1:] {
		w += l.widths[i]
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(w, h)
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
	// restore is the trigger selected when the window last closed, selected
	// again once the list shows it.
	restore string
	kick    chan struct{}
}

func newTriggerView(p *EventsPanel) *TriggerView {
	v := &TriggerView{p: p, kick: make(chan struct{}, 1), restore: p.u.Kept().Selected}
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
			return container.New(stretchLayout{triggerWidths()}, objs...)
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
	head := container.New(stretchLayout{triggerWidths()}, header...)
	v.content = container.NewBorder(container.NewHScroll(head), nil, nil, nil, v.List)
	go v.loop()
	v.reload()
	return v
}

// setRow shows trigger t in a row; a retracted trigger's state is red and
// bold, the selected row highlighted.
func (v *TriggerView) setRow(o fyne.CanvasObject, t app.TriggerState, now time.Time) {
	objs := o.(*fyne.Container).Objects
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
		v.List.Refresh()
	})
}
