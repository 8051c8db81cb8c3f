package app

import (
	"context"
	"fmt"
	"time"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/voevent"
)

// EventQuery selects archived events (store.EventQuery).
type EventQuery = store.EventQuery

// Profile is a saved destination or subscription.
type Profile = store.Profile

// ErrNotFound reports an event, entry or profile that is not there.
var ErrNotFound = store.ErrNotFound

// Check checks a VOEvent packet as the local broker would.
func (c *Core) Check(raw []byte) (*voevent.Event, error) {
	chk, err := c.loadChecker()
	if err != nil {
		return nil, err
	}
	return chk.Check(raw)
}

// loadChecker returns the checker; a shared core loads the schema only
// when first asked.
func (c *Core) loadChecker() (*voevent.Checker, error) {
	c.schemaOnce.Do(func() {
		if c.checker != nil {
			return
		}
		schema, err := voevent.LoadSchema()
		if err != nil {
			c.schemaErr = fmt.Errorf("loading the VOEvent schema: %w", err)
			return
		}
		c.schema, c.checker = schema, &voevent.Checker{Schema: schema}
	})
	return c.checker, c.schemaErr
}

// Events lists archived events, newest first.
func (ar *Archive) Events(ctx context.Context, q EventQuery) ([]EventRow, error) {
	return ar.c.store.ListEvents(ctx, q)
}

// Count counts the archived events q selects.
func (ar *Archive) Count(ctx context.Context, q EventQuery) (int64, error) {
	return ar.c.store.CountEvents(ctx, q)
}

// Event reads one archived event by key (an IVORN or a JSON alert's
// sha256:… key) with its raw bytes; ErrNotFound if it is not there.
func (ar *Archive) Event(ctx context.Context, key string) (EventRow, []byte, error) {
	return ar.c.store.GetEvent(ctx, key)
}

// EventByID reads one archived event by its archive id (a trigger's latest
// alert, say) with its raw bytes; ErrNotFound if it is not there.
func (ar *Archive) EventByID(ctx context.Context, id int64) (EventRow, []byte, error) {
	return ar.c.store.GetEventByID(ctx, id)
}

// TriggerAlerts lists the archived alerts of every trigger with an alert
// received at or after since, for timelines.
func (ar *Archive) TriggerAlerts(ctx context.Context, since time.Time) ([]EventRow, error) {
	return ar.c.store.TriggerEvents(ctx, since)
}

// Get reads a setting; ok is false when it is not set.
func (se *Settings) Get(ctx context.Context, key string) (value string, ok bool, err error) {
	return se.c.store.GetSetting(ctx, key)
}

// Set changes a setting.
func (se *Settings) Set(ctx context.Context, key, value string) error {
	return se.c.store.SetSetting(ctx, key, value)
}

// List lists the outbox entries in state (all when empty), newest first.
func (ob *Outbox) List(ctx context.Context, state OutboxState, limit int) ([]OutboxEntry, error) {
	return ob.c.store.ListOutbox(ctx, state, limit)
}

// Counts counts the outbox's entries by state.
func (ob *Outbox) Counts(ctx context.Context) (outbox.Counts, error) {
	c := ob.c
	m, err := c.store.OutboxCounts(ctx)
	return outbox.CountsOf(m), err
}

// QueueItems checks each item and queues the good ones for dest ("host:port"
// or "kafka:SOURCE/TOPIC").
func (ob *Outbox) QueueItems(ctx context.Context, dest string, items []outbox.Item) ([]outbox.ItemResult, error) {
	c := ob.c
	w := c.outbox
	if c.opt.Shared {
		chk, err := c.loadChecker()
		if err != nil {
			return nil, err
		}
		w = outbox.New(c.ctx, c.store, outbox.Options{Checker: chk})
	}
	return w.Enqueue(ctx, dest, items), nil
}

// Destination finds the saved destination called name; ErrNotFound if none.
func (ob *Outbox) Destination(ctx context.Context, name string) (Profile, error) {
	c := ob.c
	p, err := c.store.ProfileByName(ctx, name)
	if err == nil && p.Kind != store.ProfileSend && p.Kind != store.ProfileKafka {
		err = ErrNotFound
	}
	return p, err
}

// saveSendProfile saves (or updates) the destination name: "host[:port]".
func (c *Core) saveSendProfile(ctx context.Context, name, addr string) (Profile, error) {
	p, err := ParseProfileAddress(addr)
	if err != nil {
		return p, err
	}
	p.Name, p.Kind = name, store.ProfileSend
	_, err = c.store.SaveProfile(ctx, p)
	return p, err
}

// DeleteDestination removes the saved destination name; ErrNotFound if none.
func (ob *Outbox) DeleteDestination(ctx context.Context, name string) error {
	c := ob.c
	p, err := c.Outbox().Destination(ctx, name)
	if err != nil {
		return err
	}
	return c.store.DeleteProfile(ctx, p.ID)
}
