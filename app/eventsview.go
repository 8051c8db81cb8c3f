package app

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/circular"
)

// EventCursor continues a keyset page of the archive list.
type EventCursor = store.Cursor

// FilterCone is the archive list's cone filter: centre and radius in degrees.
type FilterCone = store.Cone

// Sort orders of the archive list (EventFilter.Sort).
const (
	SortReceived  = store.SortReceived
	SortEventTime = store.SortEventTime
	SortType      = store.SortType
	SortTrigger   = store.SortTrigger
)

// CursorAfter is the cursor that continues after row r in f's order.
func (f EventFilter) CursorAfter(r EventRow) EventCursor { return store.CursorAfter(f.Sort, r) }

// CountAt counts the archived alerts q selects and returns the newest
// archive id then (one snapshot), so that arrivals can be counted on top.
func (ar *Archive) CountAt(ctx context.Context, q EventQuery) (n, newest int64, err error) {
	return ar.c.store.CountEventsAt(ctx, q)
}

// Link is a clickable address found in an alert.
type Link struct {
	Label, URL string
}

// Step is one alert of a trigger's timeline.
type Step struct {
	Row EventRow
	// Type is the alert type as the timeline names it.
	Type string
}

// Detail reads one archived alert with its links and its
// trigger's timeline (alert.Sequence over the trigger's alerts).
func (ar *Archive) Detail(ctx context.Context, id int64) (EventDetail, error) {
	c := ar.c
	row, raw, err := c.store.GetEventByID(ctx, id)
	if err != nil {
		return EventDetail{}, err
	}
	d := detailOf(row, raw)
	d.Links = linksIn(raw)
	if row.Trigger != "" {
		rows, err := c.store.ListEvents(ctx, store.EventQuery{Trigger: row.Trigger, Sort: store.SortReceived, Asc: true, Limit: 500})
		if err != nil {
			return d, err
		}
		texts := make([]string, len(rows))
		for i, r := range rows {
			texts[i] = r.Description
		}
		if d.Circulars, err = ar.circularsNaming(ctx, circular.TriggerNames(row.Trigger, texts...)); err != nil {
			return d, err
		}
		// A Circular whose eventId made the trigger key is shown once, among
		// the Circulars, not as a step of the alerts.
		linked := map[int64]bool{}
		for _, ci := range d.Circulars {
			linked[ci.ID] = true
		}
		var sums []alert.Summary
		var steps []EventRow
		for _, r := range rows {
			if !linked[r.ID] {
				sums, steps = append(sums, r.Summary()), append(steps, r)
			}
		}
		names := alert.Timeline(sums).Alerts
		for k, i := range alert.Sequence(sums) {
			d.Timeline = append(d.Timeline, Step{Row: steps[i], Type: names[k]})
		}
	}
	return d, nil
}

var (
	xmlRef  = regexp.MustCompile(`<(?:\w+:)?Reference\b[^>]*\buri="(https?://[^"]+)"`)
	xmlURL  = regexp.MustCompile(`value="(https?://[^"]+)"`)
	jsonURL = regexp.MustCompile(`"(\w+)"\s*:\s*"(https?://[^"\s]+)"`)
)

// linksIn finds the web addresses in an alert: VOEvent References and URL
// params, a JSON notice's URL fields (LVK urls.gracedb, skymap_url, …).
func linksIn(raw []byte) []Link {
	var out []Link
	seen := map[string]bool{}
	add := func(label, u string) {
		if !seen[u] && len(out) < 20 {
			seen[u] = true
			out = append(out, Link{label, u})
		}
	}
	if json.Valid(raw) {
		for _, m := range jsonURL.FindAllSubmatch(raw, -1) {
			add(string(m[1]), string(m[2]))
		}
		return out
	}
	for _, m := range xmlRef.FindAllSubmatch(raw, -1) {
		add("Reference", string(m[1]))
	}
	for _, m := range xmlURL.FindAllSubmatch(raw, -1) {
		add("Param", string(m[1]))
	}
	return out
}

// savedFiltersKey is the setting that holds the saved filters (JSON).
const savedFiltersKey = "events.saved_filters"

// EventFilters returns the saved filters by name.
func (se *Settings) EventFilters(ctx context.Context) (map[string]EventFilter, error) {
	c := se.c
	v, ok, err := c.store.GetSetting(ctx, savedFiltersKey)
	out := map[string]EventFilter{}
	if err != nil || !ok {
		return out, err
	}
	return out, json.Unmarshal([]byte(v), &out)
}

// SaveEventFilter saves f under name (an empty f deletes it).
func (se *Settings) SaveEventFilter(ctx context.Context, name string, f *EventFilter) error {
	c := se.c
	all, err := c.Settings().EventFilters(ctx)
	if err != nil {
		return err
	}
	if f == nil {
		delete(all, name)
	} else {
		all[name] = *f
	}
	b, _ := json.Marshal(all)
	return c.store.SetSetting(ctx, savedFiltersKey, string(b))
}

// SavedFilterNames lists the saved filters' names in order.
func SavedFilterNames(m map[string]EventFilter) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// FillSynthetic adds n synthetic alerts spread over span before now, for
// benchmarks of the window over a large archive.
func (ar *Archive) FillSynthetic(ctx context.Context, n int, now time.Time, span time.Duration) error {
	return ar.c.store.FillSynthetic(ctx, n, now, span)
}
