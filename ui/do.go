package ui

import (
	"sync"

	"fyne.io/fyne/v2"
)

// uiMu serialises changes to widgets. Fyne's real driver runs fyne.Do
// callbacks one at a time on its own goroutine, so the lock is never
// contended there; the test driver runs them on the caller's goroutine, where
// the lock keeps concurrent updates apart.
var uiMu sync.Mutex

// do runs f on the UI goroutine, as fyne.Do does.
func do(f func()) {
	fyne.Do(func() {
		uiMu.Lock()
		defer uiMu.Unlock()
		f()
	})
}

// doAndWait runs f on the UI goroutine and waits for it, as fyne.DoAndWait does.
func doAndWait(f func()) {
	fyne.DoAndWait(func() {
		uiMu.Lock()
		defer uiMu.Unlock()
		f()
	})
}
