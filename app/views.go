package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// EventRow is one archived event's summary row.
type EventRow = store.EventRow

// EventFilter narrows the archive list.
type EventFilter struct {
	// Text is searched for as store.EventQuery.Text says: full text of
	// both formats, or an IVORN substring when very short.
	Text string
	// Role is observation, prediction, utility or test; empty for any.
	Role string
	// BeforeID pages backwards: only rows older than this id.
	BeforeID int64
	// AfterID fetches only rows newer than this id.
	AfterID int64
}

// Events lists archived events, newest first.
func (c *Core) Events(ctx context.Context, f EventFilter, limit int) ([]EventRow, error) {
	return c.store.ListEvents(ctx, store.EventQuery{Text: f.Text, Role: f.Role, BeforeID: f.BeforeID, AfterID: f.AfterID, Limit: limit})
}

// EventDetail is one archived event with its raw bytes and, for a VOEvent,
// its parsed params (Row holds the one event model's summary).
type EventDetail struct {
	Row     EventRow
	Raw     []byte
	Summary voevent.Summary
}

// EventDetail reads one archived event.
func (c *Core) EventDetail(ctx context.Context, ivorn string) (EventDetail, error) {
	row, raw, err := c.store.GetEvent(ctx, ivorn)
	if err != nil {
		return EventDetail{}, err
	}
	d := EventDetail{Row: row, Raw: raw}
	if ev, err := voevent.Parse(raw); err == nil {
		d.Summary = voevent.Summarize(ev)
	} else {
		d.Summary = voevent.Summary{IVORN: row.IVORN, Role: row.Role, Author: row.Author, Date: row.Date, Description: row.Description,
			HasPosition: row.HasPosition, RA: row.RA, Dec: row.Dec, ErrorRadius: row.ErrorRadius}
	}
	return d, nil
}

// DedupView is what the dedup panel shows.
type DedupView struct {
	Stats   seen.Stats
	Entries int64
	Recent  []seen.Refusal
}

// Dedup reads the seen-list's counters, size and recent refusals.
func (c *Core) Dedup(ctx context.Context) DedupView {
	n, _ := c.store.SeenCount(ctx)
	return DedupView{Stats: c.seen.Stats(), Entries: n, Recent: c.seen.Recent()}
}

// SearchSeen finds seen-list entries whose IVORN contains q (newest first).
func (c *Core) SearchSeen(ctx context.Context, q string, limit int) ([]seen.Entry, error) {
	return c.store.SearchSeen(ctx, strings.TrimSpace(q), limit)
}

// StatusLine is the window's status bar text.
func (c *Core) StatusLine(ctx context.Context) string {
	var parts []string
	if lb := c.Broker(); lb != nil {
		recv, bcast := lb.Addresses()
		parts = append(parts, "● local broker on "+recv+" / "+bcast)
	} else {
		parts = append(parts, "○ local broker stopped")
	}
	parts = append(parts, c.kafkaStatus(time.Now())...)
	parts = append(parts, c.outboxStatus(ctx))
	n, _ := c.store.SeenCount(ctx)
	st := c.seen.Stats()
	parts = append(parts, fmt.Sprintf("seen-list: %d", n))
	if st.CacheHits+st.CacheMisses > 0 {
		parts = append(parts, fmt.Sprintf("cache hit %.0f %%", 100*st.HitRatio()))
	}
	return strings.Join(parts, "   ")
}
