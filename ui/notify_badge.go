package ui

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/starling-broker/starling/app"
)

// monitor is the window's part of the alert monitor: the notifier, the
// unread badge on the Events tab, and the sky map's refresh on new alerts.
type monitor struct {
	u        *Window
	app      fyne.App
	notifier *app.Notifier
	// desk is the desktop's notification service with actions, when there
	// is one; set once connected.
	deskMu sync.Mutex
	desk   desktopNotifier
	// send shows a desktop notification (deliver, or a test's recorder).
	send func(desktopNote)
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
	m := &monitor{u: u, app: a, sound: app.PlayAlertSound, arrivals: make(chan struct{}, 1)}
	m.send = m.deliver
	u.mon = m
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" { // never start a bus of our own
		go func() {
			d, err := newDesktopNotifier()
			if err != nil {
				return // the toolkit's notifications, without Show
			}
			m.deskMu.Lock()
			defer m.deskMu.Unlock()
			if u.ctx.Err() != nil {
				d.close()
				return
			}
			m.desk = d
		}()
	}
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
	m.send(desktopNote{Title: x.Title, Body: x.Body, Critical: x.Critical, Show: m.showFor(x)})
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

// showFor is what a notification's Show does: the window comes forward
// on the Events tab with the alert's trigger selected (or the alert, when
// it has none).
func (m *monitor) showFor(x app.Notification) func() {
	u, trigger, id := m.u, x.Event.Trigger, x.Event.ID
	return func() {
		if u.ctx.Err() != nil {
			return
		}
		u.Win.Show()
		u.Win.RequestFocus()
		u.Tabs.SelectIndex(eventsTab)
		if trigger == "" {
			u.Events.Mode.SetSelected(modeAlerts)
			u.Events.SelectEvent(id)
			return
		}
		u.Events.Mode.SetSelected(modeTriggers)
		u.Events.Triggers.Select(trigger)
		if u.Events.Triggers.Selected() != trigger { // not listed (a mock, hidden): the alert
			u.Events.SelectEvent(id)
		}
	}
}

func (m *monitor) close() {
	if m != nil && m.notifier != nil {
		m.notifier.Close()
	}
	if m != nil {
		m.deskMu.Lock()
		if m.desk != nil {
			m.desk.close()
			m.desk = nil
		}
		m.deskMu.Unlock()
	}
}
