package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// eventColumn is one column of the events table.
type eventColumn struct {
	title string
	// sort is the store sort order a click on the header selects; "-" for none.
	sort  string
	width float32
	cell  func(r app.EventRow, now time.Time) string
}

var eventColumns = []eventColumn{
	{"Received", app.SortReceived, 120, func(r app.EventRow, now time.Time) string { return tableTime(r.Received, now) }},
	{"Event time", app.SortEventTime, 120, func(r app.EventRow, now time.Time) string { return tableTime(r.EventTime, now) }},
	{"Source", "-", 130, func(r app.EventRow, _ time.Time) string { return sourceText(r) }},
	{"Type", app.SortType, 115, func(r app.EventRow, _ time.Time) string { return typeText(r) }},
	{"Trigger", app.SortTrigger, 100, func(r app.EventRow, _ time.Time) string { return r.Trigger }},
	{"Role", "-", 80, func(r app.EventRow, _ time.Time) string { return roleText(r) }},
	{"RA", "-", 90, func(r app.EventRow, _ time.Time) string { return raText(r) }},
	{"Dec", "-", 85, func(r app.EventRow, _ time.Time) string { return decText(r) }},
	{"Error", "-", 60, func(r app.EventRow, _ time.Time) string { return errText(r) }},
	{"Distance", "-", 90, func(r app.EventRow, _ time.Time) string { return rowDistance(r) }},
	{"Significance", "-", 150, func(r app.EventRow, _ time.Time) string { return r.Significance }},
}

func sourceText(r app.EventRow) string { return app.SourceText(r) }

func typeText(r app.EventRow) string {
	if r.AlertType != "" {
		return r.AlertType
	}
	if r.Mission != "" {
		return r.Mission
	}
	return r.Format
}

func roleText(r app.EventRow) string {
	switch {
	case r.Test && strings.HasPrefix(r.Trigger, "M"):
		return "mock"
	case r.Test:
		return "test"
	}
	return r.Role
}

// raText and decText are the alert's best position (a sky map's most
// probable point for a GW alert), "" for none.
func raText(r app.EventRow) string {
	if ra, _, ok := bestPosition(r); ok {
		return sexaRA(ra)
	}
	return ""
}

func decText(r app.EventRow) string {
	if _, dec, ok := bestPosition(r); ok {
		return sexaDec(dec)
	}
	return ""
}

func errText(r app.EventRow) string {
	if r.HasPosition && r.ErrorRadius > 0 {
		return errorText(r.ErrorRadius)
	}
	if m := r.Skymap; m != nil && m.Area90 > 0 {
		return fmt.Sprintf("%.0f deg²", m.Area90)
	}
	return ""
}

// eventWidths are the table's column widths, which stretchLayout shares
// the room left over among.
func eventWidths() []float32 {
	ws := make([]float32, len(eventColumns))
	for i, c := range eventColumns {
		ws[i] = c.width
	}
	return ws
}

// newEventRow is the template of one table row: a background (the
// selection) and a label per column.
func newEventRow() fyne.CanvasObject {
	objs := []fyne.CanvasObject{canvas.NewRectangle(theme.Color(theme.ColorNameBackground))}
	for range eventColumns {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, l)
	}
	objs[0].(*canvas.Rectangle).FillColor = theme.Color(theme.ColorNameBackground)
	return container.New(&stretchLayout{widths: eventColumnWidths}, objs...)
}

// setEventRow shows r in a row made by newEventRow.
func setEventRow(o fyne.CanvasObject, r app.EventRow, selected bool, now time.Time) {
	objs := o.(*fyne.Container).Objects
	bg := objs[0].(*canvas.Rectangle)
	want := theme.Color(theme.ColorNameBackground)
	if selected {
		want = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != want {
		bg.FillColor = want
		bg.Refresh()
	}
	for i, c := range eventColumns {
		l := objs[i+1].(*widget.Label)
		text := ""
		if r.ID != 0 {
			text = c.cell(r, now)
		}
		imp, style := widget.MediumImportance, fyne.TextStyle{}
		if (r.Retraction || r.TriggerRetracted) && (c.title == "Type" || c.title == "Trigger") {
			imp, style = widget.DangerImportance, fyne.TextStyle{Bold: true}
		}
		if c.title == "Type" && r.TriggerRetracted && !r.Retraction && text != "" {
			text += " · RETRACTED"
		}
		if l.Text != text || l.Importance != imp || l.TextStyle != style {
			l.Text, l.Importance, l.TextStyle = text, imp, style
			l.Refresh()
		}
	}
}

// newEventsHeader makes the header row: a button per sortable column (a
// click sorts by it; twice, the other way), a label for the others.
func newEventsHeader(onSort func(sort string)) (*fyne.Container, []*widget.Button) {
	objs := []fyne.CanvasObject{canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))}
	var btns []*widget.Button
	for _, c := range eventColumns {
		sort := c.sort
		b := widget.NewButton(c.title, func() { onSort(sort) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		btns = append(btns, b)
		if c.sort == "-" {
			objs = append(objs, widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		} else {
			objs = append(objs, b)
		}
	}
	return container.New(&stretchLayout{widths: eventColumnWidths}, objs...), btns
}

// markSort shows the sort order on the header buttons.
func markSort(btns []*widget.Button, sort string, asc bool) {
	for i, c := range eventColumns {
		text := c.title
		if c.sort == sort {
			if asc {
				text += " ▲"
			} else {
				text += " ▼"
			}
		}
		if btns[i].Text != text {
			btns[i].SetText(text)
		}
	}
}

// rowDistance is a GW alert's distance ± σ from its sky map, "" for none.
func rowDistance(r app.EventRow) string {
	if r.Skymap == nil || r.Skymap.DistMean == nil {
		return ""
	}
	return distanceText(r.Skymap.DistMean, r.Skymap.DistStd)
}

// eventColumnWidths are the list of alerts' widths (fixed: its rows are
// paged in, so their texts are not all known).
var eventColumnWidths = newColumnWidths(eventWidths())
