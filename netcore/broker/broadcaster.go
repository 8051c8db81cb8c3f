package broker

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// Broadcaster defaults; the limits are Comet's.
const (
	// DefaultIAmAliveInterval is Comet's IAMALIVE_INTERVAL.
	DefaultIAmAliveInterval = 60 * time.Second
	// DefaultTestInterval is Comet's --broadcast-test-interval default.
	DefaultTestInterval = 3600 * time.Second
	// DefaultMaxOutstandingAcks is Comet's MAX_OUTSTANDING_ACK.
	DefaultMaxOutstandingAcks = 10
	// DefaultQueueLen bounds the packets waiting for one subscriber.
	DefaultQueueLen = 1024
	// DefaultWriteTimeout drops a subscriber whose socket takes no data for this long.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultBatchInterval is the shortest time between two writes to one subscriber.
	DefaultBatchInterval = 2 * time.Millisecond

	// maxAliveCount is Comet's MAX_ALIVE_COUNT: one unanswered iamalive is enough.
	maxAliveCount = 1
	// readBufferSize holds a few acks; larger frames are read straight into their own buffer.
	readBufferSize = 2048
	// maxCachedFilters bounds the shared cache of compiled filters.
	maxCachedFilters = 1024
	// testEventSource is the source recorded for the broadcaster's own test events.
	testEventSource = "test event"
)

// BroadcastConfig configures a Broadcaster; zero values take the defaults.
type BroadcastConfig struct {
	// Whitelist lists the networks that may subscribe; empty allows everyone.
	Whitelist Whitelist
	// IAmAliveInterval is how often subscribers are checked and sent iamalive (default 60 s).
	IAmAliveInterval time.Duration
	// TestInterval is how often a test event is broadcast; 0 turns test events off
	// (the CLI's default is DefaultTestInterval, 3600 s).
	TestInterval time.Duration
	// TestEventsToHandlers also hands test events to every registered handler
	// (--cmd, --save-event, ...); Comet sends them to its subscribers only.
	TestEventsToHandlers bool
	// MaxOutstandingAcks drops a subscriber that has this many events unacknowledged
	// at an iamalive check (default 10, Comet's MAX_OUTSTANDING_ACK).
	MaxOutstandingAcks int
	// QueueLen bounds the packets waiting for one subscriber; a subscriber whose
	// queue is full is dropped (default 1024).
	QueueLen int
	// WriteTimeout drops a subscriber that does not take a write within it (default 30 s).
	WriteTimeout time.Duration
	// BatchInterval is the shortest time between two writes to one subscriber:
	// an event for an idle subscriber goes out at once, and what is published
	// within the interval after a write goes out together in the next
	// (default 2 ms; negative turns batching off).
	BatchInterval time.Duration

	// Replay, when set, keeps each subscriber's place in the archive and
	// gives one that comes back within ReplayGrace what was archived while
	// it was away, before live events (replay.go); nil is Comet's behaviour.
	Replay ReplayLog
	// ReplayGrace is how long after it was last seen a subscriber is still
	// given what it missed (default 1 h).
	ReplayGrace time.Duration
	// ReplayAuthWait is how long a new subscriber's answer to authenticate
	// (its IVO and filters) is waited for before its replay starts (default 1 s).
	ReplayAuthWait time.Duration
	// CursorSaveInterval is how often connected subscribers' cursors are
	// saved when they have moved (default 1 s, one transaction for all);
	// they are saved too when one leaves.
	CursorSaveInterval time.Duration
}

// Broadcaster serves subscribers: it sends them every published event that
// passes their filters, keeps them alive with iamalive, and drops those that
// stop answering, nak, or fall behind. It is a Handler: register it with
// Broker.AddHandler to relay every accepted event.
type Broadcaster struct {
	b   *Broker
	cfg BroadcastConfig
	log *slog.Logger

	srv server
	// mu guards the list of subscribers as they come and go.
	mu   sync.Mutex
	subs atomic.Pointer[[]*subConn]
	// ctx is the broadcaster's lifetime, from the broker's base context;
	// Shutdown ends it (stop).
	ctx       context.Context
	stop      context.CancelFunc
	startOnce sync.Once

	pubMu sync.Mutex // serialises Publish, so filters are never evaluated concurrently

	filterMu sync.Mutex
	filters  map[string]*voevent.Filter
}

// NewBroadcaster returns a broadcaster; call Serve for each listener.
func (b *Broker) NewBroadcaster(cfg BroadcastConfig) *Broadcaster {
	if cfg.IAmAliveInterval <= 0 {
		cfg.IAmAliveInterval = DefaultIAmAliveInterval
	}
	if cfg.TestInterval < 0 {
		cfg.TestInterval = 0
	}
	if cfg.MaxOutstandingAcks <= 0 {
		cfg.MaxOutstandingAcks = DefaultMaxOutstandingAcks
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultQueueLen
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.BatchInterval == 0 {
		cfg.BatchInterval = DefaultBatchInterval
	}
	if cfg.ReplayGrace <= 0 {
		cfg.ReplayGrace = DefaultReplayGrace
	}
	if cfg.ReplayAuthWait <= 0 {
		cfg.ReplayAuthWait = DefaultReplayAuthWait
	}
	if cfg.CursorSaveInterval <= 0 {
		cfg.CursorSaveInterval = DefaultCursorSaveInterval
	}
	bc := &Broadcaster{
		b:       b,
		cfg:     cfg,
		log:     b.log.With("component", "broadcaster"),
		filters: map[string]*voevent.Filter{},
	}
	bc.ctx, bc.stop = context.WithCancel(b.cfg.Context)
	bc.srv = newServer(bc.log)
	if cfg.Replay != nil {
		b.undispatched.track()
	}
	bc.subs.Store(&[]*subConn{})
	return bc
}

// Serve accepts subscribers on l until Shutdown; it returns ErrServerClosed then.
// The first call also starts the iamalive and test-event timers.
func (bc *Broadcaster) Serve(l net.Listener) error {
	logf(bc.log, slog.LevelInfo, nil, msgBroadcasting, l.Addr(), bc.cfg.Whitelist)
	return bc.srv.serve(l, func() { bc.startOnce.Do(bc.startLoops) }, bc.serveConn)
}

// Shutdown stops accepting and the timers, sends each subscriber what is
// already queued for it, closes every connection, and returns when all are
// closed, or when ctx ends, in which case the remaining connections are cut.
func (bc *Broadcaster) Shutdown(ctx context.Context) error {
	return bc.srv.shutdown(ctx, bc.stop)
}

// Subscribers is the number of connected subscribers.
func (bc *Broadcaster) Subscribers() int { return len(*bc.subs.Load()) }

// HandleEvent publishes ev to the subscribers, making the broadcaster a relay.
func (bc *Broadcaster) HandleEvent(ev *voevent.Event, source string) { bc.Publish(ev) }

// Close does nothing: the broadcaster's life is Serve and Shutdown.
func (bc *Broadcaster) Close(context.Context) error { return nil }

// Publish queues ev's raw bytes, framed once and shared, for every subscriber
// that has no filters or a filter that ev matches. It never blocks on a
// subscriber: one whose queue is full is dropped.
func (bc *Broadcaster) Publish(ev *voevent.Event) {
	if ev == nil || len(ev.Raw) == 0 {
		return
	}
	subs := *bc.subs.Load()
	if len(subs) == 0 {
		return
	}
	frame := vtp.AppendFrame(make([]byte, 0, 4+len(ev.Raw)), ev.Raw)
	bc.pubMu.Lock()
	defer bc.pubMu.Unlock()
	var memo map[*voevent.Filter]bool
	sent := 0
	for _, s := range subs {
		if rp := s.rp; rp != nil {
			if !rp.live {
				rp.hold(ev, frame, bc.cfg.QueueLen/2)
				continue
			}
			if replayed(ev, rp.skipFrom, rp.skipUpTo) {
				continue // replayed already
			}
		}
		if fs := s.filters.Load(); fs != nil && len(*fs) > 0 {
			if memo == nil {
				memo = make(map[*voevent.Filter]bool, 4)
			}
			if !bc.matchAny(*fs, ev, memo) {
				if s.rp != nil {
					s.passedOver(ev.ArchiveID)
				}
				continue
			}
		}
		if s.enqueue(frame, true, ev.ArchiveID) {
			sent++
		}
	}
	logf(bc.log, slog.LevelInfo, nil, msgForwarded, ev.IVORN, sent, len(subs))
}

// matchAny evaluates each distinct compiled filter at most once per event.
func (bc *Broadcaster) matchAny(fs []*voevent.Filter, ev *voevent.Event, memo map[*voevent.Filter]bool) bool {
	for _, f := range fs {
		m, ok := memo[f]
		if !ok {
			m = bc.match(f, ev)
			memo[f] = m
		}
		if m {
			return true
		}
	}
	return false
}

// match evaluates one filter; a filter that fails at run time does not match.
func (bc *Broadcaster) match(f *voevent.Filter, ev *voevent.Event) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			bc.log.Warn("filter failed", "ivorn", ev.IVORN, "err", fmt.Sprint(r))
			ok = false
		}
	}()
	return f.Match(ev)
}

// compile returns the compiled filter for expr, shared between subscribers.
func (bc *Broadcaster) compile(expr string) (*voevent.Filter, error) {
	bc.filterMu.Lock()
	f, ok := bc.filters[expr]
	bc.filterMu.Unlock()
	if ok {
		return f, nil
	}
	f, err := voevent.CompileFilter(expr)
	if err != nil {
		return nil, err
	}
	bc.filterMu.Lock()
	if g, ok := bc.filters[expr]; ok {
		f = g
	} else if len(bc.filters) < maxCachedFilters {
		bc.filters[expr] = f
	}
	bc.filterMu.Unlock()
	return f, nil
}

func (bc *Broadcaster) startLoops() {
	bc.every(bc.cfg.IAmAliveInterval, func(time.Time) { bc.sendIAmAlive() })
	if bc.cfg.Replay != nil {
		bc.every(bc.cfg.CursorSaveInterval, func(time.Time) { bc.saveCursors() })
	}
	if bc.cfg.TestInterval > 0 {
		bc.every(bc.cfg.TestInterval, bc.sendTestEvent)
	}
}

// every calls f with the tick's time every interval until the broadcaster quits.
func (bc *Broadcaster) every(interval time.Duration, f func(now time.Time)) {
	bc.srv.wg.Add(1)
	go func() {
		defer bc.srv.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-bc.ctx.Done():
				return
			case now := <-t.C:
				f(now)
			}
		}
	}()
}

// sendIAmAlive checks every subscriber and sends it an iamalive, as Comet's
// sendIAmAlive does.
func (bc *Broadcaster) sendIAmAlive() {
	subs := *bc.subs.Load()
	if len(subs) == 0 {
		return
	}
	bc.log.Debug("Broadcasting iamalive")
	frame := vtp.AppendFrame(nil, vtp.IAmAlive(bc.b.LocalIVO()))
	for _, s := range subs {
		// Comet drops a subscriber with MaxOutstandingAcks unacknowledged at
		// the check; one that acked anything since the last check is only
		// busy with a burst, and is kept.
		acks := s.acks.Load()
		progressed := acks != s.ackedAtCheck
		s.ackedAtCheck = acks
		switch {
		case s.alive.Load() >= maxAliveCount:
			s.drop(DropDead, "")
		case s.outstanding.Load() >= int64(bc.cfg.MaxOutstandingAcks) && !progressed:
			s.drop(DropNotAcking, "")
		default:
			s.alive.Add(1)
			if !s.enqueue(frame, false, 0) {
				decrementToZero(&s.alive)
			}
		}
	}
}

// sendTestEvent builds a test event, commits it like any received event (so it
// is archived, and refused should it come back from a downstream broker), and
// sends it to the subscribers.
func (bc *Broadcaster) sendTestEvent(now time.Time) {
	raw := voevent.TestEvent(bc.b.LocalIVO(), now)
	o := bc.b.Process(bc.ctx, raw, testEventSource)
	if !o.Accepted {
		bc.log.Warn("Test event not sent: "+o.Reason, "ivorn", o.IVORN)
		bc.b.notify(Activity{Kind: ActivityError, IVORN: o.IVORN, Peer: testEventSource, Reason: o.Reason})
		return
	}
	bc.log.Debug("Broadcasting test event", "ivorn", o.IVORN)
	bc.b.notify(Activity{Kind: ActivityTest, IVORN: o.IVORN, Peer: testEventSource})
	if bc.cfg.TestEventsToHandlers {
		bc.b.Dispatch(o.Event, testEventSource)
	} else {
		bc.Publish(o.Event)
		bc.b.undispatched.done(o.Event.ArchiveID)
	}
}

// addSub and removeSub replace the subscriber list, which Publish reads without a lock.
func (bc *Broadcaster) addSub(s *subConn) {
	bc.mu.Lock()
	old := *bc.subs.Load()
	n := make([]*subConn, len(old), len(old)+1)
	copy(n, old)
	n = append(n, s)
	bc.subs.Store(&n)
	bc.mu.Unlock()
}

func (bc *Broadcaster) removeSub(s *subConn) {
	bc.mu.Lock()
	old := *bc.subs.Load()
	n := make([]*subConn, 0, len(old))
	for _, o := range old {
		if o != s {
			n = append(n, o)
		}
	}
	bc.subs.Store(&n)
	bc.mu.Unlock()
}
