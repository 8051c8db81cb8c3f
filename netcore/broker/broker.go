// Package broker holds the VTP broker: the receiver that takes events from
// authors, and the parts that pass accepted events on (relay and handlers).
package broker

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// Defaults as Comet has them.
const (
	DefaultReceivePort    = 8098
	DefaultBroadcastPort  = 8099
	DefaultReceiveTimeout = 20 * time.Second
	defaultCommitTimeout  = 10 * time.Second
)

// Reasons given in naks, after "Event rejected: ".
const (
	ReasonPreviouslySeen = "Previously seen by this broker"
	ReasonConflict       = "Previously seen by this broker with different content (same IVORN, other bytes)"
)

// ReasonArchiveDamaged is the nak reason while the store reports its
// archive damaged (seen.ErrArchiveDamaged): it says what was found and
// names the fix, so that an author knows the fault is not theirs.
func ReasonArchiveDamaged(err error) string {
	detail := "its database is damaged"
	var d *seen.DamagedError
	if errors.As(err, &d) && d.Detail != "" {
		detail = d.Detail
	}
	return "this broker's archive is damaged (" + detail + "); its operator must run starling doctor"
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("broker: server closed")

// Config is what every part of a broker shares.
type Config struct {
	// LocalIVO identifies this broker in Transport packets.
	LocalIVO string
	// Checker parses and validates incoming events.
	Checker *voevent.Checker
	// Seen is the dedup seen-list; accepted events are committed to it.
	Seen *seen.List
	// MaxFrame is the largest frame accepted (default 1 MiB).
	MaxFrame int
	// ReceiveTimeout closes an author's connection that sends nothing (default 20 s).
	ReceiveTimeout time.Duration
	// Log receives the broker's log lines.
	Log *slog.Logger
	// Context is the broker's base context: its receivers' submissions and
	// its broadcasters' subscribers, replays and test events run under it
	// (as under net/http's BaseContext) until their Shutdown; nil is
	// context.Background(). The core gives its own.
	Context context.Context
}

// Handler is told of each new event after it is acknowledged; HandleEvent
// must not block. Close waits, until ctx ends, for the work it has queued
// (programs running, events being written or published).
type Handler interface {
	HandleEvent(ev *voevent.Event, source string)
	Close(ctx context.Context) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ev *voevent.Event, source string)

// HandleEvent calls f.
func (f HandlerFunc) HandleEvent(ev *voevent.Event, source string) { f(ev, source) }

// Close has nothing to wait for.
func (f HandlerFunc) Close(context.Context) error { return nil }

// ActivityKind says what an Activity is.
type ActivityKind string

// The kinds of activity a broker reports.
const (
	// ActivityAck: an event was accepted (from an author, upstream or Kafka).
	ActivityAck ActivityKind = "ack"
	// ActivityNak: an author's event was refused, with the reason.
	ActivityNak ActivityKind = "nak"
	// ActivityDrop: a connection was refused, or an event from upstream or
	// Kafka was dropped, with the reason.
	ActivityDrop ActivityKind = "drop"
	// ActivityError: the broker failed to do something (store a test event, …).
	ActivityError ActivityKind = "error"
	// ActivityTest: the broadcaster sent its test event.
	ActivityTest ActivityKind = "test"
	// ActivitySubscribe and ActivityUnsubscribe: a subscriber came or went.
	ActivitySubscribe   ActivityKind = "subscribe"
	ActivityUnsubscribe ActivityKind = "unsubscribe"
	// ActivityConnected and ActivityDisconnected: a subscription to an
	// upstream broker connected or ended.
	ActivityConnected    ActivityKind = "connected"
	ActivityDisconnected ActivityKind = "disconnected"
	// ActivityReplay: a subscriber that came back was sent the events it missed.
	ActivityReplay ActivityKind = "replay"
)

// Activity is one thing that happened, for a live view.
type Activity struct {
	Time   time.Time
	Kind   ActivityKind
	IVORN  string
	Peer   string
	Reason string
	// ID, Trigger and Heartbeat describe an ack's archived event: its
	// archive row, its trigger's key, and whether it is a heartbeat.
	ID        int64
	Trigger   string
	Heartbeat bool
}

// Counters are the broker's live totals.
type Counters struct {
	Received, Accepted, Refused uint64
}

// Broker owns the configuration, the handlers and the counters.
type Broker struct {
	cfg Config
	log *slog.Logger

	mu       sync.RWMutex
	handlers []Handler
	watchers []func(Activity)

	received, accepted, refused atomic.Uint64

	// ivo, maxFrame and receiveTimeout are Config's, changed by Configure.
	ivo            atomic.Pointer[string]
	maxFrame       atomic.Int64
	receiveTimeout atomic.Int64

	// undispatched holds, when a replaying broadcaster asks for it, the
	// archive ids of the events admitted and not yet dispatched (undispatched.go).
	undispatched undispatched

	// named holds the names of this program's own submissions (named.go).
	named named

	// publish holds the Kafka topics that events accepted from the
	// receiver or a VTP subscription are queued for (SetPublish).
	publish atomic.Pointer[[]string]
}

// New returns a broker; Checker and Seen are required.
func New(cfg Config) *Broker {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	b := &Broker{cfg: cfg, log: cfg.Log}
	b.Configure(cfg.LocalIVO, cfg.MaxFrame, cfg.ReceiveTimeout)
	return b
}

// Configure changes the broker's identifier, largest frame and receive
// timeout (zero: the defaults) for the connections made from now on: a
// desktop's one broker takes the local broker's settings when it starts.
func (b *Broker) Configure(localIVO string, maxFrame int, receiveTimeout time.Duration) {
	if maxFrame <= 0 {
		maxFrame = vtp.DefaultMaxFrame
	}
	if receiveTimeout <= 0 {
		receiveTimeout = DefaultReceiveTimeout
	}
	b.ivo.Store(&localIVO)
	b.maxFrame.Store(int64(maxFrame))
	b.receiveTimeout.Store(int64(receiveTimeout))
}

// SetPublish names the Kafka topics to which every event accepted from now
// on from the receiver or a VTP subscription is to be published (none: nil).
// The seen-list's store queues each such event in the transaction that
// archives it, before the ack; events read from Kafka and the
// broadcaster's own test events are never queued, so that brokers sharing
// a topic do not loop.
func (b *Broker) SetPublish(topics []string) {
	if len(topics) == 0 {
		b.publish.Store(nil)
		return
	}
	t := slices.Clone(topics)
	b.publish.Store(&t)
}

// publishTopics are the topics an event from origin is queued for.
func (b *Broker) publishTopics(origin Origin) []string {
	p := b.publish.Load()
	if p == nil || origin.Kafka.Topic != "" || origin.Source == testEventSource {
		return nil
	}
	return *p
}

// LocalIVO is the broker's own identifier.
func (b *Broker) LocalIVO() string { return *b.ivo.Load() }

// MaxFrame is the largest frame the broker reads.
func (b *Broker) MaxFrame() int { return int(b.maxFrame.Load()) }

// receiveTimeoutNow is how long an author may take to send its event.
func (b *Broker) receiveTimeoutNow() time.Duration { return time.Duration(b.receiveTimeout.Load()) }

// AddHandler registers h for every new event.
func (b *Broker) AddHandler(h Handler) {
	b.mu.Lock()
	b.handlers = append(b.handlers, h)
	b.mu.Unlock()
}

// RemoveHandler unregisters h: events dispatched from now on skip it.
func (b *Broker) RemoveHandler(h Handler) {
	b.mu.Lock()
	b.handlers = slices.DeleteFunc(slices.Clone(b.handlers), func(x Handler) bool { return x == h })
	b.mu.Unlock()
}

// Watch registers f to be told of every ack, nak and dropped connection; f must not block.
func (b *Broker) Watch(f func(Activity)) {
	b.mu.Lock()
	b.watchers = append(b.watchers, f)
	b.mu.Unlock()
}

// Counters returns the live totals.
func (b *Broker) Counters() Counters {
	return Counters{Received: b.received.Load(), Accepted: b.accepted.Load(), Refused: b.refused.Load()}
}

func (b *Broker) notify(a Activity) {
	if a.Time.IsZero() {
		a.Time = time.Now()
	}
	b.mu.RLock()
	ws := b.watchers
	b.mu.RUnlock()
	for _, w := range ws {
		w(a)
	}
}

// Outcome is what became of one incoming event.
type Outcome struct {
	// Event is the parsed event, nil when it could not be parsed.
	Event *voevent.Event
	// IVORN is the event's identifier, if it had one.
	IVORN string
	// Accepted is true for a new event that is now committed.
	Accepted bool
	// Verdict is the seen-list's answer when it was asked.
	Verdict seen.Verdict
	// Reason says why it was refused.
	Reason string
	// StoreErr is set when the event could not be stored (not a refusal:
	// the sender should try again later).
	StoreErr error
	// ID is an accepted event's archive row; Trigger its trigger's key;
	// Heartbeat whether it is a heartbeat.
	ID        int64
	Trigger   string
	Heartbeat bool
}

// ack is the activity that an accepted outcome is, from peer.
func (o Outcome) ack(peer string) Activity {
	return Activity{Kind: ActivityAck, IVORN: o.IVORN, Peer: peer, ID: o.ID, Trigger: o.Trigger, Heartbeat: o.Heartbeat}
}

// Process checks raw, commits it to the seen-list and archive, and returns
// the outcome. It does not run handlers: call Dispatch once the answer is sent.
func (b *Broker) Process(ctx context.Context, raw []byte, source string) Outcome {
	return b.process(ctx, raw, Origin{Source: source}, false)
}

// process is Process; lenient accepts an event that fails the IVORN or schema
// checks as long as it parses and has an IVORN (Comet's subscriber checks
// only "previously seen").
func (b *Broker) process(ctx context.Context, raw []byte, origin Origin, lenient bool) Outcome {
	source := origin.Source
	b.received.Add(1)
	ev, err := b.cfg.Checker.Check(raw)
	if err != nil && lenient && ev != nil && ev.IVORN != "" {
		b.log.Warn("Accepting an event that fails validation, as Comet's subscriber would: "+err.Error(), "ivorn", ev.IVORN, "peer", source)
		err = nil
	}
	if err != nil {
		b.refused.Add(1)
		ev.Release() // a refused event is not dispatched
		o := Outcome{Event: ev, Reason: err.Error()}
		if ev != nil {
			o.IVORN = ev.IVORN
		}
		return o
	}
	rec := seen.NewRecord(ev, source, time.Now())
	rec.Kafka = origin.Kafka
	rec.Summary.Test = rec.Summary.Test || origin.Test
	rec.Publish = b.publishTopics(origin)
	return b.admit(ctx, rec, ev)
}

// admit commits rec to the seen-list and archive and says what became of it.
func (b *Broker) admit(ctx context.Context, rec seen.Record, ev *voevent.Event) Outcome {
	ctx, cancel := context.WithTimeout(ctx, defaultCommitTimeout)
	defer cancel()
	source := rec.Source
	v, id, err := b.cfg.Seen.AdmitID(ctx, rec)
	o := Outcome{Event: ev, IVORN: rec.IVORN, Verdict: v, ID: id, Trigger: rec.Summary.Trigger, Heartbeat: rec.Summary.IsHeartbeat()}
	switch {
	case errors.Is(err, seen.ErrArchiveDamaged):
		b.log.Error("could not store event: the archive is damaged; run starling doctor", "ivorn", rec.IVORN, "peer", source, "err", err)
		o.Reason = ReasonArchiveDamaged(err)
		o.StoreErr = err
	case err != nil:
		b.log.Error("could not store event", "ivorn", rec.IVORN, "peer", source, "err", err)
		o.Reason = "Event could not be stored by this broker (" + err.Error() + "); try again later"
		o.StoreErr = err
	case v == seen.Duplicate:
		o.Reason = ReasonPreviouslySeen
	case v == seen.Conflict:
		o.Reason = ReasonConflict
	default:
		o.Accepted = true
		b.accepted.Add(1)
		if ev != nil {
			ev.ArchiveID = id
			b.undispatched.add(id)
		}
		return o
	}
	b.refused.Add(1)
	ev.Release() // a refused event is not dispatched
	return o
}

// Dispatch hands an accepted event to every handler, then releases its
// parsed document (libxml2 memory that Go's collector does not see); a handler
// that keeps the event past HandleEvent and reads its document again gets it
// parsed again.
func (b *Broker) Dispatch(ev *voevent.Event, source string) {
	b.mu.RLock()
	hs := b.handlers
	b.mu.RUnlock()
	for _, h := range hs {
		h.HandleEvent(ev, source)
	}
	if ev != nil {
		b.undispatched.done(ev.ArchiveID)
	}
	ev.Release()
}
