package app

import (
	"context"
	"fmt"
	"time"

	"github.com/starling-broker/starling/app/store"
)

// outboxStatus summarises the outbox for the status bar.
func (c *Core) outboxStatus(ctx context.Context) string {
	counts, err := c.store.OutboxCounts(ctx)
	if err != nil {
		return "outbox: unreadable (" + err.Error() + ")"
	}
	queued := counts[store.StateQueued] + counts[store.StateSending]
	if queued == 0 {
		return "outbox: empty"
	}
	s := fmt.Sprintf("outbox: %d queued", queued)
	dests, _ := c.store.Destinations(ctx)
	var next time.Time
	for _, d := range dests {
		if e, err := c.store.NextQueued(ctx, d); err == nil && e != nil && (next.IsZero() || e.NextAttempt.Before(next)) {
			next = e.NextAttempt
		}
	}
	if wait := time.Until(next); !next.IsZero() && wait > time.Second {
		s += ", next try in " + wait.Round(time.Second).String()
	}
	return s
}
