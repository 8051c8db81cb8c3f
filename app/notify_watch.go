package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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
	// Trigger is the alert's trigger as it stood after the alert; nil for
	// an alert without a trigger.
	Trigger *TriggerState
	// Retracted is true when the notification says the trigger is
	// retracted; such a notification is Critical (play the sound whatever
	// the rule says).
	Retracted bool
	Critical  bool
	// Observability is what a rule's Observable found ("42 % observable
	// from La Silla, best 02:10 UTC"); "" for a rule without one.
	Observability string
	// Title and Body are the words to show: "MOCK" in the title of a mock
	// alert's, "RETRACTED" and the trigger in the body of a retraction's.
	Title, Body string
}

// Notifier matches every newly archived alert against the saved rules,
// pushed by the core's archive watchers, and reports each match.
type Notifier struct {
	ruleJudge
	f    func(Notification)
	kick chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
	last int64

	cancel func() // its watch
}

// StartNotifier starts matching the alerts archived from now on; f is
// called, off the UI goroutine, once per alert that matches a rule (the
// first rule that matches), in archive order. now is the clock for the quiet
// hours (nil: time.Now).
func (c *Core) StartNotifier(f func(Notification), now func() time.Time) (*Notifier, error) {
	if now == nil {
		now = time.Now
	}
	last, err := c.store.LastEventID(c.ctx)
	if err != nil {
		return nil, err
	}
	n := &Notifier{ruleJudge: ruleJudge{c: c, now: now}, f: f, kick: make(chan struct{}, 1), stop: make(chan struct{}), last: last}
	n.cancel = c.Watch(func(ch Change) {
		if ch.Kind&ChangeArchive != 0 && ch.Alert.ID != 0 {
			n.Kick()
		}
	})
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
		n.cancel()
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
	ctx, cancel := context.WithTimeout(n.c.ctx, 30*time.Second)
	defer cancel()
	cfg, err := n.c.Settings().Rules()
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
			x, ok := n.decide(ctx, cfg, r)
			if !ok {
				continue
			}
			x.Quiet = cfg.Quiet(n.now())
			x.Observability = n.observability(ctx, x.Rule, r)
			x.Title, x.Body = notificationText(x)
			if x.Trigger != nil {
				said := NotifiedLive
				if x.Retracted {
					said = NotifiedRetracted
				}
				// Recorded before it is shown: a restart must not say it twice.
				if err := n.c.store.SetTriggerNotified(ctx, r.Trigger, said); err != nil {
					n.c.log.Warn("trigger "+r.Trigger+": what was notified not recorded: "+err.Error(), "component", "notify")
				}
			}
			n.c.log.Info("Alert "+r.IVORN+" matches notification rule "+strconv.Quote(x.Rule.Name), "component", "notify",
				"quiet_hours", x.Quiet, "retracted", x.Retracted)
			n.f(x)
		}
	}
}

// ruleJudge matches alerts against notification rules, for the window's
// notifier and the channels' dispatcher alike; now is the clock for the
// rules' observability.
type ruleJudge struct {
	c   *Core
	now func() time.Time
}

// decide says whether an alert raises a desktop notification, and which. A
// trigger notifies at most once per state: once when an alert of it first
// matches a rule while it is live, once (critically) when it is retracted,
// if it was announced before (a rule for retractions) or an alert of it
// matches a rule only after its retraction; never again as live after a
// retraction. Heartbeats never notify.
func (n *ruleJudge) decide(ctx context.Context, cfg NotifyConfig, r EventRow) (Notification, bool) {
	if r.AlertType == alert.HeartbeatType {
		return Notification{}, false
	}
	if r.Trigger == "" {
		return n.decideFor(ctx, cfg.Rules, r, nil, "", false)
	}
	tr, err := n.c.store.Trigger(ctx, r.Trigger)
	if err != nil {
		n.c.log.Warn("trigger "+r.Trigger+" not read for notifications: "+err.Error(), "component", "notify")
		return n.decideFor(ctx, cfg.Rules, r, nil, "", false)
	}
	return n.decideFor(ctx, cfg.Rules, r, &tr, tr.Notified, false)
}

// decideFor is the decision of decide over rules, for an alert r of the
// trigger tr (nil: none, or not read) of which said (NotifiedLive,
// NotifiedRetracted or "") was last said. With again, every live alert of
// a trigger that matches notifies, not only the first (a channel's
// updates, which collapse later); the retraction still notifies once.
func (n *ruleJudge) decideFor(ctx context.Context, rules []NotifyRule, r EventRow, tr *TriggerState, said string, again bool) (Notification, bool) {
	if r.AlertType == alert.HeartbeatType {
		return Notification{}, false
	}
	if tr == nil {
		rule, ok := n.match(ctx, rules, r, RowSummary(r))
		return Notification{Event: r, Rule: rule}, ok
	}
	x := Notification{Event: r, Trigger: tr}
	sm := triggerSummary(r, *tr)
	if !tr.RetractedAt(r.ID) {
		if said == NotifiedRetracted || said != "" && !again {
			return x, false
		}
		var ok bool
		x.Rule, ok = n.match(ctx, rules, r, sm)
		return x, ok
	}
	if said == NotifiedRetracted {
		return x, false
	}
	x.Retracted, x.Critical = true, true
	if said == NotifiedLive {
		for _, rule := range rules {
			if rule.MatchRetraction(sm, r.Source, r.Topic) {
				x.Rule = rule
				return x, true
			}
		}
		return x, false
	}
	var ok bool
	x.Rule, ok = n.match(ctx, rules, r, sm)
	return x, ok
}

// triggerSummary is an alert's summary for the rules, with what its
// trigger knows and the alert does not say (a retraction carries no
// classification, sky map nor FAR): the trigger's test flag, latest LVK
// fields, FAR, sky map and best position.
func triggerSummary(r EventRow, tr TriggerState) alert.Summary {
	sm := RowSummary(r)
	sm.Test = sm.Test || tr.Test
	if sm.GW == nil {
		sm.GW = tr.GW
	}
	if sm.FAR <= 0 {
		sm.FAR = tr.FAR
	}
	if sm.Skymap == nil && tr.Skymap != nil {
		sm.Skymap, sm.HasSkymap = tr.Skymap, true
	}
	if !sm.HasPosition && tr.HasPosition && tr.Skymap == nil {
		sm.HasPosition, sm.RA, sm.Dec, sm.ErrorDeg = true, tr.RA, tr.Dec, tr.ErrorDeg
	}
	return sm
}

// match returns the first rule that the alert (its row and summary sm) matches.
func (n *ruleJudge) match(ctx context.Context, rules []NotifyRule, r EventRow, sm alert.Summary) (NotifyRule, bool) {
	var m *skymap.Map
	decoded := false
	for _, rule := range rules {
		if rule.NeedsSkymap() && !decoded && r.Skymap != nil {
			decoded = true
			var err error
			if m, err = n.c.Archive().Skymap(ctx, r.ID); err != nil {
				n.c.log.Warn("sky map not decoded for a notification rule: "+err.Error(), "component", "notify")
			}
		}
		if rule.Match(sm, r.Source, r.Topic, m) && n.observable(ctx, rule, r) {
			return rule, true
		}
	}
	return NotifyRule{}, false
}

// RowSummary is the part of the one event model that an archive row holds.
func RowSummary(r EventRow) alert.Summary { return r.Summary() }

// notificationText is the title and body of a notification. The title
// names the mission, trigger and alert type ("LVK S230528ay
// Preliminary"), with "MOCK " (an LVK mock superevent) or "TEST " (any
// other test) first; a retraction's body begins "RETRACTED:" and names
// the trigger.
func notificationText(x Notification) (title, body string) {
	r := x.Event
	test := r.Test || r.Role == "test" || x.Trigger != nil && x.Trigger.Test
	prefix := ""
	switch {
	case test && (r.Mission == "LVK" || x.Trigger != nil && x.Trigger.Mission == "LVK"):
		prefix = "MOCK "
	case test:
		prefix = "TEST "
	}
	title = prefix + r.IVORN
	if r.Trigger != "" {
		// "LVK S230518h Preliminary"; the type without a word the mission
		// already ends with ("Swift BAT 1201696 position").
		typ := strings.TrimSpace(strings.TrimPrefix(alert.Title(r.Mission, r.AlertType), r.Mission))
		title = prefix + strings.Join(nonEmptyWords(r.Mission, r.Trigger, typ), " ")
	}
	if x.Retracted {
		name := strings.TrimSpace(r.Mission + " " + r.Trigger)
		if r.Retraction || r.AlertType == "Retraction" {
			return title, fmt.Sprintf("RETRACTED: %s is withdrawn (%s)", name, x.Rule.Name)
		}
		return title, fmt.Sprintf("RETRACTED: %s was retracted; this %s came after the retraction (%s)", name, orWord(r.AlertType, "alert"), x.Rule.Name)
	}
	s := r.Significance
	switch {
	case r.Skymap != nil:
		s += fmt.Sprintf(" · 90%%: %.0f deg²", r.Skymap.Area90)
	case r.HasPosition:
		s += fmt.Sprintf(" · RA %.2f° Dec %+.2f°", r.RA, r.Dec)
	}
	if r.Topic != "" {
		s += " · " + r.Topic
	}
	if x.Observability != "" {
		s += " · " + x.Observability
	}
	return title, x.Rule.Name + ": " + strings.TrimPrefix(s, " · ")
}

// orWord is s, or else w.
func orWord(s, w string) string {
	if s == "" {
		return w
	}
	return s
}

// nonEmptyWords are the words that are not empty.
func nonEmptyWords(ws ...string) []string {
	var out []string
	for _, w := range ws {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
