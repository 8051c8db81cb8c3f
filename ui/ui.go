// Package ui holds Starling's desktop window: one panel per tab (broker,
// send, outbox, dedup, events, subscriptions, sky map, notifications,
// compose) over app.Core. It does no networking and no SQL of its own;
// slow calls run off the UI goroutine and their results come back through
// fyne.Do.
package ui

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/starling-broker/starling/app"
)

// Options are what the command line passes to the window.
type Options struct {
	// StartBroker turns the local broker on at launch.
	StartBroker bool
	// Files are sent to the Send panel as if dropped.
	Files []string
	// ClockEvery is how often texts that count time (countdowns, "ago")
	// are redrawn from memory (default 1 s); changes are pushed, not polled.
	ClockEvery time.Duration
}

// Window is the main window and its panels.
type Window struct {
	Core   *app.Core
	Win    fyne.Window
	Tabs   *container.AppTabs
	Broker *BrokerPanel
	API    *APIPanel
	Send   *SendPanel
	Outbox *OutboxPanel
	Dedup  *DedupPanel
	Events *EventsPanel
	Subs   *SubsPanel
	Sky    *SkyPanel
	Notify *NotifyPanel
	Status *widget.Label

	// Compose writes VOEvents (compose.go).
	Compose *ComposePanel

	mon    *monitor
	status status

	// ctx is the window's context, from Create's; Close ends it.
	ctx       context.Context
	cancel    context.CancelFunc
	stop      <-chan struct{} // ctx.Done()
	closeOnce sync.Once
	unwatch   func() // the window's one watch on the core
	changes   changes
	kept      kept // tab, dividers, selected trigger: kept across restarts
}

// panel is what every tab provides.
type panel interface {
	// refresh reads fresh figures from the core; it runs off the UI goroutine
	// and applies them with fyne.Do.
	refresh(ctx context.Context)
}

// Create builds the window's content over core; call Start to begin refreshing.
func Create(ctx context.Context, a fyne.App, w fyne.Window, core *app.Core, opt Options) *Window {
	if opt.ClockEvery <= 0 {
		opt.ClockEvery = time.Second
	}
	u := &Window{Core: core, Win: w, changes: changes{kick: make(chan struct{}, 1)}}
	u.ctx, u.cancel = context.WithCancel(ctx)
	u.stop = u.ctx.Done()
	u.loadKept()
	u.Broker = newBrokerPanel(u)
	u.API = newAPIPanel(u)
	u.Send = newSendPanel(u)
	u.Outbox = newOutboxPanel(u)
	u.Dedup = newDedupPanel(u)
	u.Events = newEventsPanel(u)
	u.Subs = newSubsPanel(u)
	u.Sky = newSkyPanel(u)
	u.Sky.Bind(u.Events) // a click on the sky selects the event in the table, and back
	u.Notify = newNotifyPanel(u)
	u.Compose = newComposePanel(u)
	u.Status = widget.NewLabel("")
	u.Tabs = container.NewAppTabs(
		container.NewTabItem("Broker", container.NewBorder(nil, u.API.content, nil, nil, u.Broker.content)),
		container.NewTabItem("Send", u.Send.content),
		container.NewTabItem("Outbox", u.Outbox.content),
		container.NewTabItem("Dedup", u.Dedup.content),
		container.NewTabItem("Events", u.Events.content),
		container.NewTabItem("Subscriptions", u.Subs.content),
		container.NewTabItem("Sky map", u.Sky.content),
		container.NewTabItem("Notifications", u.Notify.content),
		container.NewTabItem("Compose", u.Compose.content),
	)
	u.Tabs.SetTabLocation(container.TabLocationLeading)
	u.keepSplits()
	u.Tabs.OnSelected = func(t *container.TabItem) {
		u.mon.tabSelected(t)
		u.keep(func(s *app.WindowState) { s.Tab = t.Text })
		go u.showPanel()
	}
	w.SetContent(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), u.Status), nil, nil, u.Tabs))
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { u.DropURIs(uris) })
	u.addTabShortcuts()
	u.setTitle("local broker stopped")
	u.restoreTab()
	if len(opt.Files) > 0 {
		u.Tabs.Select(u.Tabs.Items[1])
		u.Send.AddPaths(opt.Files)
	}
	if opt.StartBroker || u.Kept().BrokerOn {
		u.Broker.SetRunning(true)
	}
	if u.API.wasOn {
		u.API.SetRunning(true)
	}
	u.startMonitor(a)
	u.unwatch = u.Core.Watch(u.hear)
	u.Send.loadHistory()
	go u.live(opt.ClockEvery)
	go u.Events.live(u.stop)
	go u.keepLoop()
	return u
}

// DropURIs sends dropped files to the Send panel and shows it; JSON alerts
// and sky maps open in a viewer (AddPaths).
func (u *Window) DropURIs(uris []fyne.URI) {
	var paths []string
	for _, uri := range uris {
		paths = append(paths, uri.Path())
	}
	if _, send := viewablePaths(paths); len(send) > 0 {
		u.Tabs.Select(u.Tabs.Items[1])
	}
	u.Send.AddPaths(paths)
}

func (u *Window) setTitle(state string) {
	u.Win.SetTitle("Starling — " + state)
}

// stopBrokerTimeout is how long closing the window lets the local broker's
// submissions in progress finish.
const stopBrokerTimeout = 5 * time.Second

// Close saves the window's state, stops refreshing and the local broker; the
// store stays with the core.
func (u *Window) Close() {
	u.closeOnce.Do(func() {
		u.unwatch()
		u.cancel()
		u.mon.close()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), stopBrokerTimeout)
		defer cancel()
		// Saved before the broker stops: its switch is kept as it is now.
		_ = u.saveKept(ctx)
		u.Core.Brokers().Stop(ctx)
	})
}

// run runs f off the UI goroutine and shows its error, if any, in a dialog.
func (u *Window) run(f func(ctx context.Context) error) {
	go func() {
		ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
		defer cancel()
		if err := f(ctx); err != nil {
			fyne.Do(func() { showError(u.Win, err) })
		}
	}()
}
