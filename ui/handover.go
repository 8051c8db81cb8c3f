package ui

// HandOver is what a second launch over the same data directory asks of
// this window: it comes forward and opens the launch's files (absolute
// paths, maybe none) as if they were dropped on it. Call it on the UI
// goroutine.
func (u *Window) HandOver(paths []string) {
	u.Win.Show()
	u.Win.RequestFocus()
	if len(paths) > 0 {
		u.Tabs.Select(u.Tabs.Items[1])
		u.Send.AddPaths(paths)
	}
}
