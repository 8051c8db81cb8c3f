package app

import (
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/kafka"
)

// ChangeKind is a set of the core's parts that changed, so that a watcher
// reads again only what changed, when it changed.
type ChangeKind uint

// The parts of the core a Change names.
const (
	// ChangeArchive: an alert was archived (Change.Alert), or refused as
	// seen (the archive, the seen-list and its counters).
	ChangeArchive ChangeKind = 1 << iota
	// ChangeOutbox: an outbox entry was queued or changed state.
	ChangeOutbox
	// ChangeBroker: the local broker started or stopped, a peer came or
	// went, or it acked or naked an event (Change.Activity).
	ChangeBroker
	// ChangeSources: a subscription or Kafka source was added, removed, or
	// changed state (Change.Source for a Kafka source's health).
	ChangeSources
	// ChangeHealth: the archive's health changed (its check on open ended,
	// or damage was found).
	ChangeHealth
	// ChangeHeartbeat: a heartbeat was archived (Change.Alert): liveness,
	// not an alert, so no alert list changes.
	ChangeHeartbeat
	// ChangeSend: a line of the Send panel's log changed (Change.Send).
	ChangeSend
	// ChangeSettings: a saved setting changed (broker settings, rules,
	// window state).
	ChangeSettings
	// ChangeChannels: a notification channel was saved or removed, or its
	// deliveries changed (queued, sent, failed).
	ChangeChannels
)

// Change is one change of the core's state, as Watch tells it.
type Change struct {
	// Kind says which parts changed.
	Kind ChangeKind
	// Alert is the alert archived, for ChangeArchive and ChangeHeartbeat
	// (zero for a refusal).
	Alert ArchivedAlert
	// Source is the Kafka source whose health changed (ID 0 for none).
	Source SourceHealth
	// Activity is the broker's ack, nak, drop or peer change behind the
	// change, when there is one.
	Activity *broker.Activity
	// Send is the Send panel's changed line, for ChangeSend.
	Send *SendLine
}

// ArchivedAlert names an alert just archived.
type ArchivedAlert struct {
	// ID is its archive row.
	ID int64
	// Trigger is its trigger's key ("" for an alert without one).
	Trigger string
}

// SourceHealth is a Kafka source's new health.
type SourceHealth struct {
	ID     int64
	Health kafka.Health
}

// Watch registers f to be told of every change of the core's state: the
// one way to hear of changes. f is called from the core's goroutines and
// must not block. The returned function unregisters it.
func (c *Core) Watch(f func(Change)) (cancel func()) { return c.changes.Add(f) }

// Watchers is how many watchers are registered (each window's panels, the
// notifier and the sites' precomputation are watchers).
func (c *Core) Watchers() int { return c.changes.Len() }

// changed tells the watchers of a change of the kinds in k.
func (c *Core) changed(k ChangeKind) { c.changes.Tell(Change{Kind: k}) }

// tell tells the watchers of ch.
func (c *Core) tell(ch Change) { c.changes.Tell(ch) }

// activityChange is the change a broker's activity makes.
func activityChange(a broker.Activity) Change {
	ch := Change{Kind: ChangeBroker, Activity: &a}
	switch a.Kind {
	case broker.ActivityAck:
		if a.Heartbeat {
			ch.Kind |= ChangeHeartbeat
		} else {
			ch.Kind |= ChangeArchive
		}
		ch.Alert = ArchivedAlert{ID: a.ID, Trigger: a.Trigger}
	case broker.ActivityNak, broker.ActivityDrop:
		ch.Kind |= ChangeArchive
	case broker.ActivityConnected, broker.ActivityDisconnected, broker.ActivityError:
		ch.Kind |= ChangeSources
	}
	return ch
}
