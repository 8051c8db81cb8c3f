package ui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/starling-broker/starling/app"
)

// changeGap is the least time between two refreshes for the core's changes:
// a burst of arrivals is merged into one refresh, the first without delay.
const changeGap = 100 * time.Millisecond

// panelShown is the panel of the selected tab and the changes it shows
// (panels that follow their own pushes show none).
func (u *Window) panelShown() (panel, app.ChangeKind) {
	var i int
	fyne.DoAndWait(func() { i = u.Tabs.SelectedIndex() })
	switch i {
	case 0:
		return u.Broker, app.ChangeBroker | app.ChangeArchive
	case 1:
		return u.Send, 0
	case 2:
		return u.Outbox, app.ChangeOutbox
	case 3:
		return u.Dedup, app.ChangeArchive
	case 4:
		return u.Events, 0
	case 5:
		return u.Subs, app.ChangeSources | app.ChangeArchive
	case skyTab:
		return u.Sky, 0 // the monitor refreshes it on arrivals
	case notifyTab:
		return u.Notify, 0
	case composeTab:
		return u.Compose, app.ChangeOutbox
	}
	return nil, 0
}

// status is what the status bar shows, kept so that the clock can redraw it
// from memory.
type status struct {
	mu     sync.Mutex
	outbox app.OutboxWaiting
	text   string
}

// changes are the kinds of change pushed and not yet applied.
type changes struct {
	mu      sync.Mutex
	pending app.ChangeKind
	kick    chan struct{}
}

// hear is the window's one watch on the core: it routes each change to the
// parts that show it, and never blocks.
func (u *Window) hear(ch app.Change) {
	u.changes.mu.Lock()
	u.changes.pending |= ch.Kind
	u.changes.mu.Unlock()
	select {
	case u.changes.kick <- struct{}{}:
	default:
	}
	if ch.Kind&app.ChangeArchive != 0 && ch.Alert.ID != 0 {
		u.Events.Arrived()
		u.mon.arrived()
	}
	if ch.Source.ID != 0 {
		u.Subs.Kafka.healthChanged(ch.Source)
	}
	if ch.Kind&app.ChangeSettings != 0 {
		u.Events.Detail.Obs.sitesChanged()
	}
	if ch.Activity != nil {
		u.Broker.record(*ch.Activity)
	}
	if ln := ch.Send; ln != nil {
		fyne.Do(func() { u.Send.show(*ln) })
	}
}

// live keeps the window current until it closes. The core pushes its
// changes; each refreshes the status bar and, if it shows them, the panel on
// show. The clock, every tick, redraws only what counts time (the status
// bar's "next try in", the subscriptions' countdowns and "ago" texts) from
// memory: nothing is polled.
func (u *Window) live(tick time.Duration) {
	clock := time.NewTicker(tick)
	defer clock.Stop()
	u.showPanel()
	u.apply(app.ChangeOutbox)
	for {
		select {
		case <-u.stop:
			return
		case <-clock.C:
			u.redraw(time.Now())
			continue
		case <-u.changes.kick:
		}
		u.changes.mu.Lock()
		ch := u.changes.pending
		u.changes.pending = 0
		u.changes.mu.Unlock()
		u.apply(ch)
		select {
		case <-u.stop:
			return
		case <-time.After(changeGap):
		}
	}
}

// apply reads again what ch changed: the outbox's waiting entries for the
// status bar, and the panel on show if it shows ch.
func (u *Window) apply(ch app.ChangeKind) {
	ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
	defer cancel()
	if ch&app.ChangeOutbox != 0 {
		o := u.Core.Outbox().Waiting(ctx)
		u.status.mu.Lock()
		u.status.outbox = o
		u.status.mu.Unlock()
	}
	u.drawStatus(time.Now())
	p, shows := u.panelShown()
	if p != nil && ch&shows != 0 {
		p.refresh(ctx)
	}
	// The channels' states change with every message sent: only they are
	// read again, never the rules (a read racing a save would show old ones).
	if p == panel(u.Notify) && ch&app.ChangeChannels != 0 {
		u.Notify.Channels.refresh()
	}
}

// showPanel reads the panel on show afresh (a tab was selected).
func (u *Window) showPanel() {
	ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
	defer cancel()
	if p, _ := u.panelShown(); p != nil {
		p.refresh(ctx)
	}
}

// redraw redraws, from memory, the texts that count time.
func (u *Window) redraw(now time.Time) {
	u.drawStatus(now)
	if p, _ := u.panelShown(); p == u.Subs {
		u.Subs.tick(now)
	}
}

// drawStatus sets the status bar's text if it changed.
func (u *Window) drawStatus(now time.Time) {
	u.status.mu.Lock()
	o := u.status.outbox
	u.status.mu.Unlock()
	text := u.Core.StatusLineWith(o, now)
	u.status.mu.Lock()
	same := text == u.status.text
	u.status.text = text
	u.status.mu.Unlock()
	if !same {
		fyne.Do(func() { u.Status.SetText(text) })
	}
}
