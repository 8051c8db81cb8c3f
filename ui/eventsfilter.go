package ui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// alertTypes are offered in the type filter; any other can be typed.
var alertTypes = []string{"Early warning", "Preliminary", "Initial", "Update", "Retraction",
	"Alert", "Flight position", "Ground position", "Final position", "BAT position", "XRT position", "UVOT position"}

// eventFilters is the Events panel's search and filter bar.
type eventFilters struct {
	p       *EventsPanel
	content fyne.CanvasObject

	Search, Source, Trigger, Cone *widget.Entry
	Type                          *widget.SelectEntry
	Role, Range, Saved            *widget.Select
	ShowTest                      *widget.Check
	Save                          *widget.Button
	// From and To are the custom range; RangeError says what is wrong.
	From, To   *widget.Entry
	RangeError *widget.Label

	row1     *fyne.Container // holds the count, whose width changes
	custom   *fyne.Container // the custom range, shown when chosen
	applying bool
	saved    map[string]app.EventFilter
}

func newEventFilters(p *EventsPanel) *eventFilters {
	b := &eventFilters{p: p, applying: true} // no filter changes until built
	typed := func(string) { b.changed(searchDelay) }
	picked := func(string) { b.changed(0) }
	entry := func(hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		e.OnChanged = typed
		return e
	}
	b.Search = entry("search: GRB, S261130ab, IVORN, mission, param values…")
	b.Source = entry("source")
	b.Trigger = entry("trigger")
	b.Cone = entry("cone: RA Dec radius (°)")
	b.Cone.Validator = func(s string) error { _, err := parseCone(s); return err }
	b.Type = widget.NewSelectEntry(alertTypes)
	b.Type.SetPlaceHolder("type")
	b.Type.OnChanged = typed
	b.Role = widget.NewSelect([]string{"any role", "observation", "prediction", "utility", "test"}, picked)
	b.Role.SetSelected("any role")
	b.newRange()
	b.ShowTest = widget.NewCheck("test/mock", func(on bool) {
		p.u.keep(func(s *app.WindowState) { s.ShowTest = on }) // ticked again at the next launch
		b.changed(0)
	})
	b.ShowTest.Checked = !p.filter.HideTest
	b.Saved = widget.NewSelect(nil, func(name string) { b.apply(name) })
	b.Saved.PlaceHolder = "saved filters"
	b.Save = widget.NewButton("Save…", b.askSave)
	b.row1 = container.NewBorder(nil, nil, nil, container.NewHBox(p.NewRows, p.Count, b.Saved, b.Save), b.Search)
	row2 := container.NewBorder(nil, nil, nil, container.NewHBox(b.Role, b.Range, b.ShowTest),
		container.NewGridWithColumns(4, b.Source, b.Type, b.Trigger, b.Cone))
	b.content = container.NewVBox(b.row1, row2, b.custom)
	b.applying = false
	go b.loadSaved()
	return b
}

// filter is the filter the widgets say, in the panel's sort order.
func (b *eventFilters) filter() app.EventFilter {
	f := app.EventFilter{Sort: b.p.filter.Sort, Asc: b.p.filter.Asc,
		Text: strings.TrimSpace(b.Search.Text), Source: strings.TrimSpace(b.Source.Text),
		Trigger: strings.TrimSpace(b.Trigger.Text), Type: strings.TrimSpace(b.Type.Text), HideTest: !b.ShowTest.Checked}
	if r := b.Role.Selected; r != "" && r != "any role" {
		f.Role = r
	}
	b.timeRange(&f)
	if c, err := parseCone(b.Cone.Text); err == nil && c != nil {
		f.Cone = c
	}
	return f
}

func (b *eventFilters) changed(delay time.Duration) {
	if !b.applying {
		b.p.setFilter(b.filter(), delay)
	}
}

// parseCone reads "RA Dec radius" in degrees; "" is no cone.
func parseCone(s string) (*app.FilterCone, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' })
	if len(fields) == 0 {
		return nil, nil
	}
	if len(fields) != 3 {
		return nil, errors.New("give RA, Dec and a radius, in degrees")
	}
	var v [3]float64
	for i, f := range fields {
		x, err := strconv.ParseFloat(strings.TrimSuffix(f, "°"), 64)
		if err != nil {
			return nil, errors.New("not a number: " + f)
		}
		v[i] = x
	}
	if v[1] < -90 || v[1] > 90 || v[2] <= 0 || v[2] > 180 {
		return nil, errors.New("Dec is within ±90° and the radius within 0–180°")
	}
	return &app.FilterCone{RA: v[0], Dec: v[1], Radius: v[2]}, nil
}

// apply shows a saved filter's values in the widgets and lists it.
func (b *eventFilters) apply(name string) {
	f, ok := b.saved[name]
	if !ok {
		return
	}
	b.applying = true
	b.Search.SetText(f.Text)
	b.Source.SetText(f.Source)
	b.Trigger.SetText(f.Trigger)
	b.Type.SetText(f.Type)
	b.Role.SetSelected(orDefault(f.Role, "any role"))
	b.ShowTest.SetChecked(!f.HideTest)
	cone := ""
	if f.Cone != nil {
		cone = strconv.FormatFloat(f.Cone.RA, 'g', -1, 64) + " " + strconv.FormatFloat(f.Cone.Dec, 'g', -1, 64) + " " + strconv.FormatFloat(f.Cone.Radius, 'g', -1, 64)
	}
	b.Cone.SetText(cone)
	b.setRange(f)
	b.applying = false
	b.p.setFilter(f.At(b.p.now()), 0)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// askSave asks for a name and saves the current filter under it.
func (b *eventFilters) askSave() {
	name := widget.NewEntry()
	dialog.ShowForm("Save this filter", "Save", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", name)}, func(ok bool) {
		if ok && strings.TrimSpace(name.Text) != "" {
			b.SaveAs(strings.TrimSpace(name.Text))
		}
	}, b.p.u.Win)
}

// SaveAs saves the current filter under name: a custom range as its
// times, a preset ("last 24 h") as its length.
func (b *eventFilters) SaveAs(name string) {
	f := b.filter()
	if f.Last > 0 {
		f.From, f.To = time.Time{}, time.Time{}
	}
	go func() {
		if err := b.p.u.Core.Settings().SaveEventFilter(b.p.u.ctx, name, &f); err != nil {
			fyne.Do(func() { showError(b.p.u.Win, err) })
			return
		}
		b.loadSaved()
	}()
}

// loadSaved reads the saved filters off the UI goroutine.
func (b *eventFilters) loadSaved() {
	m, err := b.p.u.Core.Settings().EventFilters(b.p.u.ctx)
	if err != nil {
		return
	}
	fyne.Do(func() {
		b.saved = m
		b.Saved.SetOptions(app.SavedFilterNames(m))
	})
}
