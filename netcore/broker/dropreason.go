package broker

import "fmt"

// DropReason says why the broadcaster closed a subscriber's connection, as
// nats-server's ClosedState does for its clients.
type DropReason int

// The reasons a subscriber's connection ends.
const (
	// DropNone: the subscriber closed it, or it is still open.
	DropNone DropReason = iota
	// DropDead: the subscriber missed an iamalive (Comet's "appears to be dead").
	DropDead
	// DropNotAcking: the subscriber left too many events unacknowledged.
	DropNotAcking
	// DropSlow: the subscriber's queue filled up.
	DropSlow
	// DropWriteFailed: a write to the subscriber failed or timed out.
	DropWriteFailed
	// DropTooLarge: the subscriber sent a frame over the length limit.
	DropTooLarge
	// DropNak: the subscriber naked an event.
	DropNak
	// DropShutdown: the broker is shutting down.
	DropShutdown
)

// String names the reason in a few words.
func (r DropReason) String() string {
	switch r {
	case DropDead:
		return "missed an iamalive"
	case DropNotAcking:
		return "not acknowledging events"
	case DropSlow:
		return "not keeping up"
	case DropWriteFailed:
		return "write failed"
	case DropTooLarge:
		return "frame over the length limit"
	case DropNak:
		return "nak received"
	case DropShutdown:
		return "broker shutting down"
	}
	return "closed by the subscriber"
}

// logLine is the broker's log line for a drop, worded as Comet words it
// where Comet has the case; detail adds what is known (an error, a count).
func (r DropReason) logLine(peer, detail string) string {
	switch r {
	case DropDead:
		return "Peer appears to be dead; dropping connection"
	case DropNotAcking:
		return "Peer is not acknowledging events; dropping connection"
	case DropSlow:
		return fmt.Sprintf("Subscriber is not keeping up (%s packets queued); dropping connection", detail)
	case DropWriteFailed:
		return "Write to subscriber failed (" + detail + "); dropping connection"
	case DropTooLarge:
		return "Length limit exceeded from " + peer + ": " + detail + "; dropping connection"
	case DropNak:
		return "Nak received from " + peer + "; terminating"
	case DropShutdown:
		return "Broker shutting down; closing connection"
	}
	return ""
}
