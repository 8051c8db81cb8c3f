package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/seen"
)

// SeenItem is one seen-list entry named as the events table names its
// alert: trigger, type and source; Name is "" when the archive no longer
// holds the alert (the seen-list outlives the archive's retention).
type SeenItem struct {
	seen.Entry
	Name string
}

// AlertName names an archived alert as the table does, in one line:
// "1201696 · Swift BAT position · SWIFT_BAT_GRB_POS_ACK (gcn.classic.voevent)";
// a part that is not known is left out.
func AlertName(r EventRow) string {
	var parts []string
	for _, p := range []string{r.Trigger, alert.Title(r.Mission, r.AlertType), SourceText(r)} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// names names the alerts of keys from the archive (AlertName by key).
func (ar *Archive) names(ctx context.Context, keys []string) map[string]string {
	rows, err := ar.c.store.EventRowsByKeys(ctx, keys)
	out := make(map[string]string, len(rows))
	if err != nil {
		return out
	}
	for k, r := range rows {
		out[k] = AlertName(r)
	}
	return out
}

// SeenItems finds seen-list entries whose key contains q, and the alerts
// whose trigger, type, mission or text match q (the archive's full-text
// search), newest first, each named as the table names it: so that a JSON
// alert, whose key is only "sha256:…", is found by its trigger.
func (ar *Archive) SeenItems(ctx context.Context, q string, limit int) ([]SeenItem, error) {
	q = strings.TrimSpace(q)
	es, err := ar.SearchSeen(ctx, q, limit)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(es))
	for _, e := range es {
		have[e.IVORN] = true
	}
	if q != "" {
		rows, err := ar.Events(ctx, EventFilter{Text: q, Heartbeats: true}.Query(EventCursor{}, limit))
		if err == nil {
			for _, r := range rows {
				if !have[r.IVORN] {
					have[r.IVORN] = true
					es = append(es, seen.Entry{IVORN: r.IVORN, FirstSeen: r.Received, Source: r.Source})
				}
			}
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].FirstSeen.After(es[j].FirstSeen) })
	if limit > 0 && len(es) > limit {
		es = es[:limit]
	}
	keys := make([]string, len(es))
	for i, e := range es {
		keys[i] = e.IVORN
	}
	names := ar.names(ctx, keys)
	out := make([]SeenItem, len(es))
	for i, e := range es {
		out[i] = SeenItem{Entry: e, Name: names[e.IVORN]}
	}
	return out, nil
}

// Text is the entry in words: "first seen 2026-12-06 14:03:12 UTC: NAME
// (KEY) from SOURCE"; the key is shortened when the name says the rest.
func (it SeenItem) Text() string {
	if it.IVORN == "" {
		return ""
	}
	what := it.IVORN
	if it.Name != "" {
		what = it.Name + " (" + shortKey(it.IVORN) + ")"
	}
	s := "first seen " + it.FirstSeen.UTC().Format("2006-01-02 15:04:05") + " UTC: " + what
	if it.Source != "" {
		s += " from " + it.Source
	}
	return s
}

// shortKey keeps a "sha256:" key's first 12 hex digits; an IVORN whole.
func shortKey(k string) string {
	if strings.HasPrefix(k, "sha256:") && len(k) > 19 {
		return k[:19] + "…"
	}
	return k
}

// RefusalItem is one recent refusal with the name of the alert it repeated.
type RefusalItem struct {
	seen.Refusal
	Name string
}

// Reason says why the alert was refused, in words.
func (r RefusalItem) Reason() string {
	why := "already seen: the same alert arrived before"
	if r.Verdict == seen.Conflict {
		why = "its key was already used by different bytes (a changed alert under an old IVORN)"
	}
	switch r.CaughtBy {
	case seen.ByCache:
		why += "; answered from memory"
	case seen.ByStore:
		why += "; found in the archive's seen-list"
	}
	return why
}

// Text is the refusal in words at now: "14:03:12 UTC (2 min ago): refused
// NAME (KEY) from SOURCE: REASON".
func (r RefusalItem) Text(now time.Time) string {
	if r.IVORN == "" {
		return ""
	}
	what := r.IVORN
	if r.Name != "" {
		what = r.Name + " (" + shortKey(r.IVORN) + ")"
	}
	s := r.At.UTC().Format("15:04:05") + " UTC (" + agoText(now.Sub(r.At)) + "): refused " + what
	if r.Source != "" {
		s += " from " + r.Source
	}
	return s + ": " + r.Reason()
}

// agoText is a duration past in words: "just now", "40 s ago", "2 min ago", "3 h ago", "2 days ago".
func agoText(d time.Duration) string {
	switch {
	case d < 2*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// Refusals are the recent refusals, newest first, each with its alert's name.
func (ar *Archive) Refusals(ctx context.Context, v DedupView) []RefusalItem {
	keys := make([]string, len(v.Recent))
	for i, r := range v.Recent {
		keys[i] = r.IVORN
	}
	names := ar.names(ctx, keys)
	out := make([]RefusalItem, len(v.Recent))
	for i, r := range v.Recent {
		out[i] = RefusalItem{Refusal: r, Name: names[r.IVORN]}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

// CacheText explains the cache figures in one line: what the hit ratio
// is, and why it is 0 % until an alert arrives a second time.
func (v DedupView) CacheText() string {
	s := "Hit ratio: the share of arriving alerts that were repeats refused from memory; a new alert is always a miss (looked up in the archive)"
	if v.Stats.CacheHits == 0 {
		return s + ", so the ratio stays 0 % until an alert arrives twice."
	}
	return s + "."
}

// EmptyRefusalsText is what the refusal list says when it is empty.
const EmptyRefusalsText = "No refusals since the start: no alert has arrived twice. A repeat (the same IVORN or the same JSON bytes) is refused and listed here with its reason."
