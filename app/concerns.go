package app

import (
	"context"

	"github.com/starling-broker/starling/app/outbox"
)

// The core's concerns: small types, each with one job, reached from Core.
// The command line and the window call the same methods on them.

// Archive is the archive of alerts and its seen-list: listing, counting,
// reading, triggers, the sky and the archive's health.
type Archive struct{ c *Core }

// Outbox is the outbox: queueing, listing and handling entries, and the
// destinations they go to. It is a facade; the delivery worker stays inside.
type Outbox struct{ c *Core }

// Sends is the Send panel's history: the lines that follow dropped or
// pasted events through the outbox, and the panel's remembered inputs.
type Sends struct{ c *Core }

// Sources are where alerts come from besides the local broker's listeners:
// the saved subscriptions to VTP brokers and the Kafka sources.
type Sources struct{ c *Core }

// Settings are what the user sets and the window keeps: the local broker's
// settings, notification rules, saved filters, the window's size.
type Settings struct{ c *Core }

// Brokers starts and stops the local broker on the core's one broker.
type Brokers struct{ c *Core }

// Archive is the archive of alerts.
func (c *Core) Archive() *Archive { return &Archive{c} }

// Outbox is the outbox.
func (c *Core) Outbox() *Outbox { return &Outbox{c} }

// Sends is the Send panel's history.
func (c *Core) Sends() *Sends { return &Sends{c} }

// Sources are the subscriptions and Kafka sources.
func (c *Core) Sources() *Sources { return &Sources{c} }

// Settings are the saved settings.
func (c *Core) Settings() *Settings { return &Settings{c} }

// Brokers is the local broker.
func (c *Core) Brokers() *Brokers { return &Brokers{c} }

// Flush delivers every entry waiting now, as fast as the destinations take
// them, until none is left or ctx ends; progress is told each outcome's
// new counts.
func (ob *Outbox) Flush(ctx context.Context, progress func(outbox.Counts)) error {
	return ob.c.outbox.Flush(ctx, progress)
}

// Kick makes the outbox try its waiting entries now.
func (ob *Outbox) Kick() { ob.c.outbox.Kick() }
