package app

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/skymap"
)

// Notification is a newly archived alert that matched a rule.
type Notification struct {
	Event EventRow
	Rule  NotifyRule
	// Quiet is true in the quiet hours: count it, but show and play nothing.
	Quiet bool
}

// Notifier matches every newly archived alert against the saved rules,
// pushed by the core's archive watchers, and reports each match.
type Notifier struct {
	c    *Core
	f    func(Notification)
	now  func() time.Time
	kick chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
	last int64
}

// StartNotifier starts matching the alerts archived from now on; f is
// called, off the UI goroutine, once per alert that matches a rule (the
// first rule that matches), in archive order. now is the clock for the quiet
// hours (nil: time.Now).
func (c *Core) StartNotifier(f func(Notification), now func() time.Time) (*Notifier, error) {
	if now == nil {
		now = time.Now
	}
	last, err := c.store.LastEventID(context.Background())
	if err != nil {
		return nil, err
	}
	n := &Notifier{c: c, f: f, now: now, kick: make(chan struct{}, 1), stop: make(chan struct{}), last: last}
	c.WatchSubscriptionEvents(n.Kick)
	n.wg.Add(1)
	go n.loop()
	return n, nil
}

// Kick makes the notifier look for new alerts now; it never blocks.
func (n *Notifier) Kick() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// Close stops the notifier.
func (n *Notifier) Close() {
	select {
	case <-n.stop:
	default:
		close(n.stop)
	}
	n.wg.Wait()
}

func (n *Notifier) loop() {
	defer n.wg.Done()
	for {
		select {
		case <-n.stop:
			return
		case <-n.kick:
		}
		n.check()
	}
}

// check matches the alerts archived since the last check.
func (n *Notifier) check() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := n.c.LoadNotifyConfig()
	if err != nil {
		n.c.log.Warn("notification rules not read: "+err.Error(), "component", "notify")
	}
	for {
		rows, err := n.c.store.EventsAfter(ctx, n.last, 500)
		if err != nil || len(rows) == 0 {
			return
		}
		for _, r := range rows {
			n.last = r.ID
			if rule, ok := n.match(ctx, cfg, r); ok {
				quiet := cfg.Quiet(n.now())
				n.c.log.Info("Alert "+r.IVORN+" matches notification rule "+strconv.Quote(rule.Name), "component", "notify", "quiet_hours", quiet)
				n.f(Notification{Event: r, Rule: rule, Quiet: quiet})
			}
		}
	}
}

// match returns the first rule that the alert matches.
func (n *Notifier) match(ctx context.Context, cfg NotifyConfig, r EventRow) (NotifyRule, bool) {
	sm := RowSummary(r)
	var m *skymap.Map
	decoded := false
	for _, rule := range cfg.Rules {
		if rule.NeedsSkymap() && !decoded && r.Skymap != nil {
			decoded = true
			var err error
			if m, err = n.c.EventSkymap(ctx, r.ID); err != nil {
				n.c.log.Warn("sky map not decoded for a notification rule: "+err.Error(), "component", "notify")
			}
		}
		if rule.Match(sm, r.Source, r.Topic, m) {
			return rule, true
		}
	}
	return NotifyRule{}, false
}

// RowSummary is the part of the one event model that an archive row holds.
func RowSummary(r EventRow) alert.Summary {
	return alert.Summary{
		Format: alert.Format(r.Format), Key: r.IVORN, Role: r.Role, Author: r.Author, Description: r.Description,
		Mission: r.Mission, Trigger: r.Trigger, AlertType: r.AlertType, Retraction: r.Retraction, Test: r.Test,
		EventTime: r.EventTime, HasPosition: r.HasPosition, RA: r.RA, Dec: r.Dec, ErrorDeg: r.ErrorRadius,
		FAR: r.FAR, Significance: r.Significance, HasSkymap: r.Skymap != nil, Skymap: r.Skymap, Note: r.Note,
	}
}
