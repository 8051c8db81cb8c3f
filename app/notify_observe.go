package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/starling-broker/starling/netcore/observe"
)

// maxWithinHours bounds a rule's WithinHours: a month.
const maxWithinHours = 31 * 24

// within is the rule's Observable span.
func (r NotifyRule) within() time.Duration {
	h := r.WithinHours
	if h <= 0 {
		h = 24
	}
	return time.Duration(h * float64(time.Hour))
}

// checkObservable says what is wrong with the rule's Observable fields, or nil.
func (r NotifyRule) checkObservable() error {
	if r.Observable < 0 || r.Observable > 100 {
		return fmt.Errorf("rule %q: the observable percentage must be 0…100", r.Name)
	}
	if r.WithinHours < 0 || r.WithinHours > maxWithinHours {
		return fmt.Errorf("rule %q: the observability span must be 0…%d hours", r.Name, maxWithinHours)
	}
	return nil
}

// describeObservable is the rule's Observable in words.
func (r NotifyRule) describeObservable() string {
	site := r.Site
	if site == "" {
		site = "the default site"
	}
	return fmt.Sprintf("≥ %g %% observable from %s within %g h", r.Observable, site, r.within().Hours())
}

// observeGrid is the grid a rule's Observable looks over from now: every
// 10 minutes (from now rounded down, so that alerts within one step share
// results) for WithinHours.
func (r NotifyRule) observeGrid(now time.Time) observe.Grid {
	return observe.Grid{Start: now.UTC().Truncate(10 * time.Minute), Step: 10 * time.Minute, Duration: r.within()}
}

// observed is what the rule's site observes of the alert over the rule's
// span from the notifier's now; nil when the rule asks nothing of it, or
// when it cannot be said (no such site, no sky map nor position: logged).
func (n *ruleJudge) observed(ctx context.Context, rule NotifyRule, r EventRow) (*observe.Result, error) {
	if rule.Observable <= 0 {
		return nil, nil
	}
	s := n.c.Sites()
	var site Site
	var err error
	if rule.Site == "" {
		var ok bool
		if site, ok, err = s.Default(ctx); err == nil && !ok {
			err = fmt.Errorf("%w: no default site", ErrNoSite)
		}
	} else {
		site, err = s.Site(ctx, rule.Site)
	}
	if err != nil {
		return nil, err
	}
	return s.ObserveFrom(ctx, r.ID, site, rule.observeGrid(n.now()))
}

// observable reports whether the alert meets the rule's Observable (true
// for a rule without one).
func (n *ruleJudge) observable(ctx context.Context, rule NotifyRule, r EventRow) bool {
	if rule.Observable <= 0 {
		return true
	}
	res, err := n.observed(ctx, rule, r)
	if err != nil {
		if !errors.Is(err, ErrNoRegion) {
			n.c.log.Warn(fmt.Sprintf("rule %q: observability of alert %d not computed: %v", rule.Name, r.ID, err), "component", "notify")
		}
		return false
	}
	return 100*res.PAny >= rule.Observable
}

// observability is the figure a notification of the rule says: "42 %
// observable from La Silla, best 02:10 UTC" ("" for a rule without Observable).
func (n *ruleJudge) observability(ctx context.Context, rule NotifyRule, r EventRow) string {
	res, err := n.observed(ctx, rule, r)
	if err != nil || res == nil {
		return ""
	}
	return ObservabilityText(res)
}

// ObservabilityText is a result as a notification says it: "42 %
// observable from La Silla, best 02:10 UTC" (P_any, and the best instant).
func ObservabilityText(res *observe.Result) string {
	s := fmt.Sprintf("%.0f %% observable from %s", 100*res.PAny, res.Site.Name)
	if t, ok := res.BestTime(); ok {
		s += ", best " + t.UTC().Format("15:04") + " UTC"
	}
	return s
}
