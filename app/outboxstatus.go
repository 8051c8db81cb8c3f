package app

import (
	"context"
	"fmt"
	"time"
)

// OutboxWaiting is what the status bar says of the outbox: how many entries
// wait and when the next attempt is due.
type OutboxWaiting struct {
	Queued int
	Next   time.Time
	Err    error
}

// Waiting reads the outbox's waiting entries (one query); the window
// reads it again when WatchChanges reports ChangeOutbox.
func (ob *Outbox) Waiting(ctx context.Context) OutboxWaiting {
	c := ob.c
	n, next, err := c.store.OutboxWaiting(ctx)
	return OutboxWaiting{Queued: n, Next: next, Err: err}
}

// text words o for the status bar at now.
func (o OutboxWaiting) text(now time.Time) string {
	switch {
	case o.Err != nil:
		return "outbox: unreadable (" + o.Err.Error() + ")"
	case o.Queued == 0:
		return "outbox: empty"
	}
	s := fmt.Sprintf("outbox: %d queued", o.Queued)
	if wait := o.Next.Sub(now); !o.Next.IsZero() && wait > time.Second {
		s += ", next try in " + wait.Round(time.Second).String()
	}
	return s
}
