// Package outbox is Starling's durable send queue: events queued for a
// destination (a broker's receiver, "host:port", or a Kafka topic,
// "kafka:SOURCE/TOPIC", published with Hopskotch's headers) wait in the store's outbox
// table until a Worker delivers them, in id order per destination, retrying
// with exponential backoff while the destination cannot be reached.
//
// An entry moves through the states queued → sending → sent | refused |
// queued (retry) | failed; see Next for the rules, and cancelled by hand.
// Nothing is lost when the process dies: an entry is marked "sending" (and
// its attempt counted) before it is sent, and Start puts entries left in
// "sending" back in the queue; the broker's seen-list absorbs the copy that
// may have been in flight, and its "previously seen" nak then counts as
// delivered.
package outbox

import (
	"log/slog"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/sender"
	"github.com/starling-broker/starling/netcore/voevent"
)

// DefaultPort is the port of a destination given without one (VTP's receiver port).
const DefaultPort = broker.DefaultReceivePort

// Options configure a Worker.
type Options struct {
	// Policy is how failures are retried and when the outbox gives up.
	Policy
	// Timeout bounds one attempt: connect, send and wait for the answer (default 30 s).
	Timeout time.Duration
	// Checker checks events before Enqueue queues them; nil checks without the schema.
	Checker *voevent.Checker
	// Log receives the worker's log lines (component "outbox"); default discards them.
	Log *slog.Logger
	// Rescan is how often the store is re-read for work queued by others,
	// such as `starling outbox add` while the app runs (default 5 s).
	Rescan time.Duration
	// Kafka gives the cluster of a Kafka destination's saved source; nil
	// fails every entry queued for a Kafka topic.
	Kafka KafkaCluster
}

func (o Options) withDefaults() Options {
	o.Policy = o.Policy.withDefaults()
	if o.Timeout <= 0 {
		o.Timeout = sender.DefaultTimeout
	}
	if o.Checker == nil {
		o.Checker = &voevent.Checker{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Rescan <= 0 {
		o.Rescan = 5 * time.Second
	}
	return o
}
