package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/starling-broker/starling/app"
)

// monitor is the window's part of the alert monitor: the notifier, the
// unread badge on the Events tab, and the sky map's refresh on new alerts.
type monitor struct {
	u        *Window
	notifier *app.Notifier
	// send shows a desktop notification (the app's, or a test's).
	send func(*fyne.Notification)
	// sound plays the alert sound; false when there is no player.
	sound  func() bool
	unread int // UI goroutine
	// arrivals wakes the sky loop when alerts are archived.
	arrivals chan struct{}
}

// eventsTab and the monitor's tabs are the tab indexes the monitor uses.
const (
	eventsTab = 4
	skyTab    = 6
	notifyTab = 7
)

// skyDebounce is how long the sky map waits after an alert for more before redrawing.
const skyDebounce = 500 * time.Millisecond

// startMonitor starts the notifier and the sky map's push refresh.
func (u *Window) startMonitor(a fyne.App) {
	m := &monitor{u: u, send: a.SendNotification, sound: app.PlayAlertSound, arrivals: make(chan struct{}, 1)}
	u.mon = m
	n, err := u.Core.StartNotifier(func(x app.Notification) { fyne.Do(func() { m.notified(x) }) }, nil)
	if err == nil {
		m.notifier = n
	}
	go m.skyLoop()
}

// notified counts an alert that matched a rule and, outside the quiet
// hours, shows it (the core's words) and plays the rule's sound, or the
// sound of a critical one (a retraction). UI goroutine.
func (m *monitor) notified(x app.Notification) {
	if m.u.Tabs.SelectedIndex() != eventsTab {
		m.unread++
		m.showBadge()
	}
	if x.Quiet {
		return
	}
	m.send(fyne.NewNotification(x.Title, x.Body))
	if x.Rule.Sound || x.Critical {
		go m.sound()
	}
}

// showBadge writes the unread count on the Events tab. UI goroutine.
func (m *monitor) showBadge() {
	text := "Events"
	if m.unread > 0 {
		text = fmt.Sprintf("Events (%d)", m.unread)
	}
	if m.u.Tabs.Items[eventsTab].Text != text {
		m.u.Tabs.Items[eventsTab].Text = text
		m.u.Tabs.Refresh()
	}
}

// tabSelected clears the badge when the Events tab is shown. UI goroutine.
func (m *monitor) tabSelected(t *container.TabItem) {
	if m == nil || t != m.u.Tabs.Items[eventsTab] {
		return
	}
	m.unread = 0
	m.showBadge()
}

// Unread is the Events tab's unread count.
func (u *Window) Unread() int {
	n := 0
	fyne.DoAndWait(func() { n = u.mon.unread })
	return n
}

// skyLoop refreshes the sky map and rate chart, when shown, after new
// alerts arrive (pushed by the core), debounced.
func (m *monitor) skyLoop() {
	for {
		select {
		case <-m.u.stop:
			return
		case <-m.arrivals:
		}
		select {
		case <-m.u.stop:
			return
		case <-time.After(skyDebounce):
		}
		shown := false
		fyne.DoAndWait(func() { shown = m.u.Tabs.SelectedIndex() == skyTab })
		if shown {
			ctx, cancel := context.WithTimeout(m.u.ctx, 10*time.Second)
			m.u.Sky.refresh(ctx)
			cancel()
		}
	}
}

// arrived tells the sky loop that alerts were archived; it never blocks.
func (m *monitor) arrived() {
	select {
	case m.arrivals <- struct{}{}:
	default:
	}
}

func (m *monitor) close() {
	if m != nil && m.notifier != nil {
		m.notifier.Close()
	}
}
