package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/when"
)

// customRange is the Range choice that shows the From and To entries.
const customRange = "custom…"

// timeRanges are the received-time ranges offered, most recent first.
var timeRanges = []struct {
	name string
	d    time.Duration
}{{"any time", 0}, {"last hour", time.Hour}, {"last 24 h", 24 * time.Hour}, {"last 7 days", 7 * 24 * time.Hour}, {"last 30 days", 30 * 24 * time.Hour}}

// newRange builds the Range choice and, hidden until it is custom, the
// exact range's From and To entries with the words of their error.
func (b *eventFilters) newRange() {
	var names []string
	for _, r := range timeRanges {
		names = append(names, r.name)
	}
	b.From, b.To = widget.NewEntry(), widget.NewEntry()
	b.From.SetPlaceHolder("2026-11-30 22:41, 2026-11-30 or 3d ago (UTC unless +hh:mm is given)")
	b.To.SetPlaceHolder("2026-11-30T23:00:00Z; a date alone: to its end (UTC unless +hh:mm)")
	b.From.Validator = func(s string) error { _, _, err, _ := readRange(s, b.To.Text, b.p.now()); return err }
	b.To.Validator = func(s string) error { _, _, _, err := readRange(b.From.Text, s, b.p.now()); return err }
	b.From.OnChanged, b.To.OnChanged = b.rangeTyped, b.rangeTyped
	b.RangeError = widget.NewLabel("")
	b.RangeError.Importance = widget.DangerImportance
	b.RangeError.Wrapping = fyne.TextWrapWord
	b.RangeError.Hide()
	b.custom = container.NewVBox(container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, widget.NewLabel("From"), nil, b.From),
		container.NewBorder(nil, nil, widget.NewLabel("to"), nil, b.To)), b.RangeError)
	b.custom.Hide()
	b.Range = widget.NewSelect(append(names, customRange), func(s string) {
		b.showCustom(s == customRange)
		b.changed(0)
	})
	b.Range.SetSelected("any time")
}

// readRange reads the custom range's entries at now; an empty one does not
// bound, and each error names its entry.
func readRange(fromText, toText string, now time.Time) (from, to time.Time, fromErr, toErr error) {
	if s := strings.TrimSpace(fromText); s != "" {
		if from, fromErr = when.Start(s, now); fromErr != nil {
			fromErr = errors.New("From: " + fromErr.Error())
		}
	}
	if s := strings.TrimSpace(toText); s != "" {
		if to, toErr = when.End(s, now); toErr != nil {
			toErr = errors.New("To: " + toErr.Error())
		}
	}
	if fromErr == nil && toErr == nil && !from.IsZero() && !to.IsZero() && !to.After(from) {
		toErr = errors.New("To: the range ends before it starts")
	}
	return from, to, fromErr, toErr
}

// rangeTyped applies the custom range once both entries read; until then
// the error shows in words and the filter stays as it was.
func (b *eventFilters) rangeTyped(string) {
	b.From.Validate() // each checks the other: To must follow From
	b.To.Validate()
	_, _, fromErr, toErr := readRange(b.From.Text, b.To.Text, b.p.now())
	if err := errors.Join(fromErr, toErr); err != nil {
		b.RangeError.SetText(err.Error())
		b.RangeError.Show()
		b.relayout()
		return
	}
	if b.RangeError.Visible() {
		b.RangeError.Hide()
		b.relayout()
	}
	b.changed(searchDelay)
}

// setRange puts f's time range into the widgets: a preset by its length,
// else the exact range.
func (b *eventFilters) setRange(f app.EventFilter) {
	if f.Last == 0 && f.From.IsZero() && f.To.IsZero() {
		b.Range.SetSelected("any time")
		return
	}
	for _, r := range timeRanges {
		if f.Last > 0 && r.d == f.Last {
			b.Range.SetSelected(r.name)
			return
		}
	}
	f = f.At(b.p.now())
	text := func(t time.Time, end bool) string {
		if t.IsZero() {
			return ""
		}
		return when.Text(t, end)
	}
	b.From.SetText(text(f.From, false))
	b.To.SetText(text(f.To, true))
	b.From.Validate()
	b.To.Validate()
	b.RangeError.Hide()
	b.Range.SetSelected(customRange)
}

// timeRange sets f's range from the widgets; a custom range that does not
// read leaves the range applied now.
func (b *eventFilters) timeRange(f *app.EventFilter) {
	now := b.p.now()
	if b.Range.Selected == customRange {
		from, to, fromErr, toErr := readRange(b.From.Text, b.To.Text, now)
		if fromErr != nil || toErr != nil {
			f.From, f.To, f.Last = b.p.filter.From, b.p.filter.To, b.p.filter.Last
			return
		}
		f.From, f.To = from, to
		return
	}
	for _, r := range timeRanges {
		if r.name == b.Range.Selected {
			f.Last = r.d
		}
	}
	*f = f.At(now)
}

// showCustom shows or hides the From and To entries.
func (b *eventFilters) showCustom(show bool) {
	if b.custom == nil || show == b.custom.Visible() {
		return
	}
	if show {
		b.custom.Show()
	} else {
		b.custom.Hide()
	}
	b.relayout()
}

// relayout lays the panel out again when the filter bar's height changes.
func (b *eventFilters) relayout() {
	if b.content != nil {
		b.content.Refresh()
	}
	if c, ok := b.p.content.(*fyne.Container); ok {
		c.Refresh()
	}
}
