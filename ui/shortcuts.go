package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// tabShortcut is Ctrl+n (⌘n on macOS), the shortcut of the n-th tab (from 1).
func tabShortcut(n int) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: fyne.KeyName(fmt.Sprint(n)), Modifier: fyne.KeyModifierShortcutDefault}
}

// addTabShortcuts makes Ctrl+1…8 select the tabs from any focus. The
// toolkit gives a focused widget every shortcut and the canvas none, and an
// entry drops those it does not know; only the main menu's shortcuts come
// before the focused widget. So the tabs are also a View menu, whose items
// carry the shortcuts; the canvas keeps them for drivers without a menu.
func (u *Window) addTabShortcuts() {
	items := make([]*fyne.MenuItem, len(u.Tabs.Items))
	for i, t := range u.Tabs.Items {
		idx := i
		sel := func() { u.Tabs.SelectIndex(idx) }
		items[i] = fyne.NewMenuItem(t.Text, sel)
		items[i].Shortcut = tabShortcut(i + 1)
		u.Win.Canvas().AddShortcut(tabShortcut(i+1), func(fyne.Shortcut) { sel() })
	}
	u.Win.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("View", items...)))
}
