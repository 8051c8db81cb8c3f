package ui

import "fyne.io/fyne/v2"

// desktopNote is one desktop notification: the core's words, whether it is
// critical (a retraction), and what its Show action does.
type desktopNote struct {
	Title, Body string
	Critical    bool
	// Show opens what the notification is about (its trigger); nil for none.
	Show func()
}

// desktopNotifier shows notifications with a Show action and an urgency,
// where the desktop offers them (notifier_linux.go).
type desktopNotifier interface {
	notify(n desktopNote) error
	close()
}

// deliver shows n through the desktop's own notifications when they work,
// else through the toolkit's (no action, no urgency). UI goroutine.
func (m *monitor) deliver(n desktopNote) {
	m.deskMu.Lock()
	d := m.desk
	m.deskMu.Unlock()
	if d != nil {
		if err := d.notify(n); err == nil {
			return
		}
	}
	m.app.SendNotification(fyne.NewNotification(n.Title, n.Body))
}
