package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// EventRow is one archived event's summary row.
type EventRow = store.EventRow

// EventFilter narrows and orders the archive list; the zero filter shows
// every alert, newest first.
type EventFilter struct {
	// Text is searched for as store.EventQuery.Text says: full text of
	// both formats, or an IVORN substring when very short.
	Text string `json:",omitempty"`
	// Role is observation, prediction, utility or test; empty for any.
	Role string `json:",omitempty"`
	// Source is a substring of the peer, subscription or topic.
	Source string `json:",omitempty"`
	// Type is one alert type (Preliminary, Retraction, …).
	Type string `json:",omitempty"`
	// Trigger selects one trigger's alerts.
	Trigger string `json:",omitempty"`
	// From and To bound the time received (inclusive, exclusive).
	From time.Time `json:",omitzero"`
	To   time.Time `json:",omitzero"`
	// Last, when set, makes the range relative: the Last before now (At).
	Last time.Duration `json:",omitempty"`
	// Cone selects alerts positioned inside it (degrees).
	Cone *store.Cone `json:",omitempty"`
	// HideTest hides test and mock alerts (the window's default).
	HideTest bool `json:",omitempty"`
	// Heartbeats shows liveness records (gcn.heartbeat), which are no
	// alerts and left out otherwise (unless Type or Source names them).
	Heartbeats bool `json:",omitempty"`
	// Sort and Asc order the list (store.SortReceived, …).
	Sort string `json:",omitempty"`
	Asc  bool   `json:",omitempty"`
	// BeforeID pages backwards: only rows older than this id.
	BeforeID int64 `json:"-"`
	// AfterID fetches only rows newer than this id.
	AfterID int64 `json:"-"`
}

// Query is the store query of f.
func (f EventFilter) Query(after store.Cursor, limit int) store.EventQuery {
	return store.EventQuery{Text: f.Text, Role: f.Role, Source: f.Source, AlertType: f.Type, Trigger: f.Trigger, From: f.From, To: f.To,
		Cone: f.Cone, HideTest: f.HideTest, Heartbeats: f.Heartbeats, Sort: f.Sort, Asc: f.Asc, BeforeID: f.BeforeID, AfterID: f.AfterID, After: after, Limit: limit}
}

// At is f with a relative range (Last) made absolute at now.
func (f EventFilter) At(now time.Time) EventFilter {
	if f.Last > 0 {
		f.From, f.To = now.Add(-f.Last), time.Time{}
	}
	return f
}

// EventDetail is one archived event with its raw bytes and, for a VOEvent,
// its parsed params (Row holds the one event model's summary).
type EventDetail struct {
	Row    EventRow
	Raw    []byte
	Fields voevent.Fields
	// Links are the web addresses in the alert.
	Links []Link
	// Timeline is the trigger's alerts in sequence order (Archive.Detail).
	Timeline []Step
	// Circulars are the archived GCN Circulars whose subjects name the
	// trigger (circular.TriggerNames), in number order.
	Circulars []Circular
	// LVK is an LVK alert's candidate as its record states it (the GW
	// card); nil for other alerts.
	LVK *notice.LVK
}

// detailOf parses an archived event's raw bytes for its params.
func detailOf(row EventRow, raw []byte) EventDetail {
	d := EventDetail{Row: row, Raw: raw}
	if row.Format == string(alert.FormatJSON) {
		if l, ok := notice.ReadLVK(raw); ok {
			d.LVK = &l
		}
	}
	if ev, err := voevent.Parse(raw); err == nil {
		d.Fields = voevent.ReadFields(ev)
	} else {
		d.Fields = voevent.Fields{IVORN: row.IVORN, Role: row.Role, Author: row.Author, Date: row.Date, Description: row.Description,
			HasPosition: row.HasPosition, RA: row.RA, Dec: row.Dec, ErrorRadius: row.ErrorRadius}
	}
	return d
}

// DedupView is what the dedup panel shows.
type DedupView struct {
	Stats   seen.Stats
	Entries int64
	Recent  []seen.Refusal
}

// Dedup reads the seen-list's counters, size and recent refusals.
func (ar *Archive) Dedup(ctx context.Context) DedupView {
	c := ar.c
	n, _ := c.store.SeenCount(ctx)
	return DedupView{Stats: c.seen.Stats(), Entries: n, Recent: c.seen.Recent()}
}

// SearchSeen finds seen-list entries whose IVORN contains q (newest first).
func (ar *Archive) SearchSeen(ctx context.Context, q string, limit int) ([]seen.Entry, error) {
	return ar.c.store.SearchSeen(ctx, strings.TrimSpace(q), limit)
}

// StatusLineWith is the status bar text at now with the outbox as o; it
// reads only memory, so a window can redraw it as often as its clock ticks.
func (c *Core) StatusLineWith(o OutboxWaiting, now time.Time) string {
	var parts []string
	switch h := c.Archive().Health(); h.State {
	case "damaged":
		parts = append(parts, "⚠ "+h.Text())
	case "checking":
		parts = append(parts, h.Text())
	}
	if lb := c.Brokers().Running(); lb != nil {
		recv, bcast := lb.Addresses()
		parts = append(parts, "● local broker on "+recv+" / "+bcast)
	} else {
		parts = append(parts, "○ local broker stopped")
	}
	parts = append(parts, c.kafkaStatus(now)...)
	parts = append(parts, o.text(now))
	n, _ := c.store.SeenCount(c.ctx) // counted once, then followed in memory
	parts = append(parts, fmt.Sprintf("seen-list: %d", n))
	if st := c.seen.Stats(); st.CacheHits+st.CacheMisses > 0 {
		parts = append(parts, fmt.Sprintf("cache hit %.0f %%", 100*st.HitRatio()))
	}
	return strings.Join(parts, "   ")
}
