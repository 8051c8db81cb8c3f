package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// newLineList is a list of one-line labels over *items, read under mu; line
// words an item and sample sizes the rows. Every panel's list is one of these.
func newLineList[T any](mu *sync.Mutex, items *[]T, line func(T) string, sample string) *widget.List {
	return widget.NewList(
		func() int { mu.Lock(); defer mu.Unlock(); return len(*items) },
		func() fyne.CanvasObject {
			l := widget.NewLabel(sample)
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			mu.Lock()
			var it T
			if id < len(*items) {
				it = (*items)[id]
			}
			mu.Unlock()
			o.(*widget.Label).SetText(line(it))
		})
}
