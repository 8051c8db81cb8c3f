package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/netcore/when"
)

// The "start from" choices.
const (
	fromLatest   = "latest (only new alerts)"
	fromEarliest = "earliest (all the cluster keeps)"
	fromDay      = "last 24 h"
	fromTime     = "from a time…"
)

// fromPicker chooses where a Kafka source starts reading.
type fromPicker struct {
	Choice *widget.Select
	Time   *widget.Entry
	box    fyne.CanvasObject
}

func newFromPicker(initial string) *fromPicker {
	f := &fromPicker{Time: widget.NewEntry()}
	f.Time.SetPlaceHolder("2026-11-30 18:00 (local) or 2026-11-30T18:00:00Z")
	f.Time.Hide()
	f.Choice = widget.NewSelect([]string{fromLatest, fromEarliest, fromDay, fromTime}, func(s string) {
		if s == fromTime {
			f.Time.Show()
		} else {
			f.Time.Hide()
		}
	})
	f.Choice.SetSelected(initial)
	f.box = container.NewVBox(f.Choice, f.Time)
	return f
}

// value gives the choice as kafka.ParseFrom reads it.
func (f *fromPicker) value() (string, error) {
	switch f.Choice.Selected {
	case fromEarliest:
		return "earliest", nil
	case fromDay:
		return "24h", nil
	case fromTime:
		return parseLocalTime(f.Time.Text)
	}
	return "latest", nil
}

// parseLocalTime reads a time typed by a person (when.Parse, local unless an
// offset is given); it returns RFC 3339.
func parseLocalTime(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", errors.New("start from: give a time, e.g. 2026-11-30 18:00")
	}
	t, _, err := when.Parse(s, time.Now(), time.Local)
	if err != nil {
		return "", errors.New("start from: " + err.Error())
	}
	return t.UTC().Format(time.RFC3339), nil
}
