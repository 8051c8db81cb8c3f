package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// typeShortcut gives s to the window as the desktop driver does with a key
// press (fyne internal/driver/glfw/window.go, triggersShortcut): the main
// menu's items first, then the focused widget if it takes shortcuts, else
// the canvas. The test driver has no key dispatch of its own.
func typeShortcut(w fyne.Window, s fyne.Shortcut) {
	if m := w.MainMenu(); m != nil {
		for _, menu := range m.Items {
			for _, it := range menu.Items {
				if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() && it.Action != nil {
					it.Action()
					return
				}
			}
		}
	}
	if f, ok := w.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	w.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// TestTabShortcutsWorkWhileAnEntryHasFocus: with the Dedup search box
// focused, Ctrl+5 selects the Events tab and Ctrl+1 the Broker tab, while
// the entry still gets its own shortcuts (select all).
func TestTabShortcutsWorkWhileAnEntryHasFocus(t *testing.T) {
	u := newWindow(t)
	var tab int
	var selected string
	onUI(func() {
		u.Tabs.SelectIndex(3)
		u.Dedup.Search.SetText("ivo://x")
		u.Win.Canvas().Focus(u.Dedup.Search)
		if u.Win.Canvas().Focused() != u.Dedup.Search {
			t.Fatal("the search box did not take focus")
		}
		typeShortcut(u.Win, tabShortcut(5))
		tab = u.Tabs.SelectedIndex()
		u.Tabs.SelectIndex(3)
		u.Win.Canvas().Focus(u.Dedup.Search)
		typeShortcut(u.Win, &fyne.ShortcutSelectAll{})
		selected = u.Dedup.Search.SelectedText()
		typeShortcut(u.Win, tabShortcut(1))
	})
	if tab != 4 {
		t.Errorf("Ctrl+5 from the search box selected tab %d, want 4 (Events)", tab)
	}
	if selected != "ivo://x" {
		t.Errorf("Ctrl+A in the search box selected %q, want its text", selected)
	}
	onUI(func() { tab = u.Tabs.SelectedIndex() })
	if tab != 0 {
		t.Errorf("Ctrl+1 from the search box selected tab %d, want 0 (Broker)", tab)
	}
	// With nothing focused the shortcuts work too.
	onUI(func() {
		u.Win.Canvas().Unfocus()
		typeShortcut(u.Win, tabShortcut(8))
		tab = u.Tabs.SelectedIndex()
	})
	if tab != 7 {
		t.Errorf("Ctrl+8 with nothing focused selected tab %d, want 7", tab)
	}
}
