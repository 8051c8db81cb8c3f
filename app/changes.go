package app

import (
	"github.com/starling-broker/starling/netcore/broker"
)

// Change is a set of the core's parts that changed, pushed to windows so
// that they read again only what changed, when it changed.
type Change uint

// The parts of the core a Change names.
const (
	// ChangeArchive: an event was archived or refused as seen (the archive,
	// the seen-list and its counters).
	ChangeArchive Change = 1 << iota
	// ChangeOutbox: an outbox entry was queued or changed state.
	ChangeOutbox
	// ChangeBroker: the local broker started or stopped, or a peer came or went.
	ChangeBroker
	// ChangeSources: a subscription or Kafka source was added, removed, or
	// changed state.
	ChangeSources
	// ChangeHealth: the archive's health changed (its check on open ended,
	// or damage was found).
	ChangeHealth
)

// WatchChanges registers f to be called with every change of the core's
// state; f is called from the core's goroutines and must not block. The
// returned function unregisters it.
func (c *Core) WatchChanges(f func(Change)) (cancel func()) { return c.changes.Add(f) }

// changed tells the WatchChanges watchers of ch.
func (c *Core) changed(ch Change) { c.changes.Tell(ch) }

// activityChange is what a broker's activity changed.
func activityChange(a broker.Activity) Change {
	switch a.Kind {
	case broker.ActivityAck, broker.ActivityNak, broker.ActivityDrop:
		return ChangeArchive
	case broker.ActivitySubscribe, broker.ActivityUnsubscribe:
		return ChangeBroker
	case broker.ActivityConnected, broker.ActivityDisconnected, broker.ActivityError:
		return ChangeSources
	}
	return 0
}
