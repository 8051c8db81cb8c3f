package broker

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// Replay defaults.
const (
	// DefaultReplayGrace is how long after it was last seen a subscriber
	// that comes back is given what it missed.
	DefaultReplayGrace = time.Hour
	// DefaultReplayAuthWait is how long a new connection's answer to
	// authenticate is waited for before it is known by its address alone
	// (pygcn never answers).
	DefaultReplayAuthWait = time.Second
	// DefaultCursorSaveInterval is how often connected subscribers' cursors
	// are saved when they have moved: a broker killed outright sends again
	// what was acknowledged in its last second.
	DefaultCursorSaveInterval = time.Second

	// replayPage is how many archived events one query returns.
	replayPage = 256
	// replayWindow bounds the replayed events queued or written and not yet
	// acknowledged: the backlog goes at the pace of the subscriber's acks.
	// It is above DefaultMaxOutstandingAcks, so that a subscriber that never
	// acks is dropped as Comet drops it, rather than stalling for ever.
	replayWindow = 64
	// shutdownAckWait is how long a shutting-down broadcaster waits for a
	// subscriber's outstanding acks, so that its saved cursor covers what
	// it has (fewer events are sent again after a restart).
	shutdownAckWait = time.Second
	// cursorRefresh is how often an unmoved cursor is saved anyway, so that
	// its last_seen stays within the grace period of a subscriber that is
	// connected but gets nothing.
	cursorRefresh = time.Minute
	// cursorTimeout bounds one load or save of cursors.
	cursorTimeout = 5 * time.Second

	// msgReplayed is logged when a subscriber that came back has been sent
	// what it missed (not Comet's: Comet has no replay).
	msgReplayed = "Replayed %d missed events to %s"
)

// ReplayLog is the archive a broadcaster replays missed events from, and
// where it keeps each subscriber's cursor. netcore holds no SQL: the app
// implements it over its store.
type ReplayLog interface {
	// LoadCursor returns the cursor kept for key; ok is false for a key never saved.
	LoadCursor(ctx context.Context, key string) (c Cursor, ok bool, err error)
	// SaveCursors records cursors, replacing those of the same keys, in one transaction.
	SaveCursors(ctx context.Context, cs []Cursor) error
	// LastID is the id of the newest archived alert, 0 for none.
	LastID(ctx context.Context) (int64, error)
	// EventsAfter returns up to limit archived VOEvents with ids above
	// after, in id order, each with its raw bytes exactly as received. It
	// leaves out JSON alerts (never relayed over VTP), and must leave out
	// nothing else: what Publish relays and the replay reads must agree.
	EventsAfter(ctx context.Context, after int64, limit int) ([]ArchivedEvent, error)
}

// Cursor is where a subscriber is in the archive.
type Cursor struct {
	// Key names the subscriber: "ivo:" and the IVO it authenticated with,
	// else "ip:" and its address (without the port).
	Key string
	// LastID is the archive id up to which every alert was sent to it and
	// acknowledged, or did not pass its filters.
	LastID int64
	// LastSeen is when it was last connected.
	LastSeen time.Time
	// Filters are the XPath filters it last sent, for the record.
	Filters []string
}

// ArchivedEvent is one alert read back from the archive.
type ArchivedEvent struct {
	ID  int64
	Raw []byte
}

// replayState is a subscriber's part in replay; nil when replay is off.
type replayState struct {
	// Guarded by the broadcaster's pubMu.
	live     bool        // Publish queues events for it directly
	held     []heldEvent // events published before it went live
	overflow bool        // held grew too long and was let go: the archive has them
	// Once live, events with ids in (skipFrom, skipUpTo] were replayed (or
	// passed over by the filters) and are not sent again.
	skipFrom, skipUpTo int64
	authed             chan struct{} // closed when its authenticate answer arrives
	authOnce           sync.Once
	ackWake            chan struct{} // told of each ack while replaying

	// Guarded by the subscriber's ackMu.
	ivo      string  // the IVO from its authenticate answer
	key      string  // set once its replay starts; "" until then
	inflight []int64 // ids of the events written and not acknowledged, in order
	acked    int64   // the highest id acknowledged (or passed over by its filters)
	filters  []string
	savedID  int64     // the cursor last saved
	savedAt  time.Time // when it was saved; zero for never
}

// heldEvent is an event published while a subscriber was not yet live.
type heldEvent struct {
	ev    *voevent.Event
	frame []byte
}

// subscriberKey names a subscriber for its cursor: its IVO when it sent
// one, else its address without the port.
func subscriberKey(ivo string, c net.Conn) string {
	if ivo != "" {
		return "ivo:" + ivo
	}
	switch a := c.RemoteAddr().(type) {
	case *net.TCPAddr:
		return "ip:" + a.IP.String()
	case *net.UnixAddr:
		return "unix:" + c.LocalAddr().String()
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		host = c.RemoteAddr().String()
	}
	return "ip:" + host
}

// hold keeps ev for a subscriber that is not live yet; called under pubMu.
func (rp *replayState) hold(ev *voevent.Event, frame []byte, limit int) {
	if rp.overflow {
		return
	}
	if len(rp.held) >= limit {
		rp.held, rp.overflow = nil, true
		return
	}
	rp.held = append(rp.held, heldEvent{ev: ev, frame: frame})
}

// authenticated records the subscriber's answer to authenticate.
func (s *subConn) authenticated(m *vtp.Message, filters []string) {
	rp := s.rp
	if rp == nil {
		return
	}
	ivo := m.Response
	if ivo == "" && m.Origin != s.bc.b.LocalIVO() {
		ivo = m.Origin
	}
	s.ackMu.Lock()
	if rp.ivo == "" {
		rp.ivo = ivo
	}
	rp.filters = filters
	s.ackMu.Unlock()
	rp.authOnce.Do(func() { close(rp.authed) })
}

// acknowledged takes the oldest event written off the list of those waiting for an ack.
func (s *subConn) acknowledged() {
	rp := s.rp
	s.ackMu.Lock()
	if len(rp.inflight) > 0 {
		if id := rp.inflight[0]; id > rp.acked {
			rp.acked = id
		}
		rp.inflight = rp.inflight[1:]
		if len(rp.inflight) == 0 {
			rp.inflight = nil
		}
	}
	s.ackMu.Unlock()
	select {
	case rp.ackWake <- struct{}{}:
	default:
	}
}

// passedOver notes an event the subscriber's filters turned down, so its
// cursor can move past it when nothing before it is waiting.
func (s *subConn) passedOver(id int64) {
	if id == 0 {
		return
	}
	s.ackMu.Lock()
	if len(s.rp.inflight) == 0 && id > s.rp.acked {
		s.rp.acked = id
	}
	s.ackMu.Unlock()
}

// cursor is where a reconnect should replay from: the highest id
// acknowledged, lowered below any event still queued or written and not
// acknowledged, or archived and not yet handed to the broadcaster; ok is
// false until the subscriber has a key. (Held events
// need no account: those above the acknowledged id are above the cursor,
// and those below it were replayed.)
func (s *subConn) cursor(now time.Time) (Cursor, bool) {
	rp := s.rp
	minPending := int64(0)
	note := func(id int64) {
		if id > 0 && (minPending == 0 || id < minPending) {
			minPending = id
		}
	}
	s.mu.Lock()
	for _, id := range s.queuedIDs {
		note(id)
	}
	s.mu.Unlock()
	// Nor past an event archived and not yet relayed: it may reach the
	// broadcaster only after this subscriber has gone.
	note(s.bc.b.undispatched.floor(now))
	s.ackMu.Lock()
	defer s.ackMu.Unlock()
	if rp.key == "" {
		return Cursor{}, false
	}
	for _, id := range rp.inflight {
		note(id)
	}
	last := rp.acked
	if minPending > 0 && minPending-1 < last {
		last = minPending - 1
	}
	return Cursor{Key: rp.key, LastID: last, LastSeen: now, Filters: slices.Clone(rp.filters)}, true
}

// replay runs beside a new subscriber's reader and writer: it waits for its
// answer to authenticate, looks up its cursor, sends it in order what was
// archived after the cursor and passes its filters, at the pace of its
// acks, then makes it live. Until it is live, what is published is held
// for it; at the seam the held events that the replay did not reach are
// queued, and those it did are skipped, so that nothing is lost or sent twice.
func (s *subConn) replay() {
	bc := s.bc
	rp := s.rp
	ctx, cancel := context.WithCancel(bc.ctx)
	defer cancel()
	go func() {
		select {
		case <-s.dead:
		case <-ctx.Done():
		}
		cancel()
	}()
	rlog := bc.cfg.Replay
	// What was archived before the connection is not for a new subscriber.
	qctx, qcancel := context.WithTimeout(ctx, cursorTimeout)
	start, err := rlog.LastID(qctx)
	qcancel()
	if err != nil {
		if ctx.Err() == nil {
			bc.log.Warn("Cannot read the archive; "+s.peer+" gets live events only", "err", err)
			s.goLive(0, 0, false)
		}
		return
	}
	t := time.NewTimer(bc.cfg.ReplayAuthWait)
	select {
	case <-rp.authed:
		t.Stop()
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
		return
	}
	s.ackMu.Lock()
	key := subscriberKey(rp.ivo, s.c)
	s.ackMu.Unlock()
	known := false
	qctx, qcancel = context.WithTimeout(ctx, cursorTimeout)
	c, ok, err := rlog.LoadCursor(qctx, key)
	qcancel()
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return
		}
		bc.log.Warn("Cannot read the cursor of "+s.peer+"; it starts with live events", "err", err)
	case ok && time.Since(c.LastSeen) <= bc.cfg.ReplayGrace:
		start, known = c.LastID, true
	}
	s.ackMu.Lock()
	rp.key, rp.acked = key, start
	s.ackMu.Unlock()
	if !known {
		// Saved now, so that a broker that dies before its next save still
		// knows this subscriber when it comes back.
		bc.saveCursors(s)
	}
	// For a new subscriber this sends what was archived since it connected
	// (usually nothing: it is held, and queued at the seam).
	n, after, err := s.replayAfter(ctx, start)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		bc.log.Warn(fmt.Sprintf("Replay to %s stopped after %d events: cannot read the archive", s.peer, n), "err", err)
		s.goLive(start, after, false) // at least once: what was held goes, even if replayed
	}
	if known {
		logf(bc.log, slog.LevelInfo, nil, msgReplayed, n, s.peer)
		if n > 0 {
			bc.b.notify(Activity{Kind: ActivityReplay, Peer: s.peer, Reason: fmt.Sprintf("Replayed %d missed events", n)})
		}
	}
	bc.saveCursors(s)
}

// replayAfter sends what was archived after start and passes the filters,
// then makes the subscriber live; it returns how many events it sent and
// the id it reached.
func (s *subConn) replayAfter(ctx context.Context, start int64) (sent int, after int64, err error) {
	bc := s.bc
	after = start
	for {
		evs, err := bc.cfg.Replay.EventsAfter(ctx, after, replayPage)
		if err != nil {
			return sent, after, err
		}
		if len(evs) == 0 {
			if s.goLive(start, after, true) {
				return sent, after, nil
			}
			continue // held events were let go: the archive has them
		}
		for _, e := range evs {
			if !s.replayMatches(e) {
				s.passedOver(e.ID)
				after = e.ID
				continue
			}
			if !s.awaitWindow(ctx) {
				return sent, after, ctx.Err()
			}
			if !s.enqueue(vtp.AppendFrame(make([]byte, 0, 4+len(e.Raw)), e.Raw), true, e.ID) {
				return sent, after, context.Canceled
			}
			sent++
			after = e.ID
		}
	}
}

// replayMatches applies the subscriber's filters to an archived event.
func (s *subConn) replayMatches(e ArchivedEvent) bool {
	fs := s.filters.Load()
	if fs == nil || len(*fs) == 0 {
		return true
	}
	ev, err := voevent.Parse(e.Raw)
	if err != nil {
		s.bc.log.Warn("Archived event not replayed: it does not parse", "id", e.ID, "err", err)
		return false
	}
	defer ev.Release()
	s.bc.pubMu.Lock() // filters are never evaluated concurrently
	defer s.bc.pubMu.Unlock()
	return s.bc.matchAny(*fs, ev, map[*voevent.Filter]bool{})
}

// awaitWindow waits until fewer than replayWindow events are queued or
// unacknowledged; false when the subscriber or the broadcaster is gone.
func (s *subConn) awaitWindow(ctx context.Context) bool {
	for {
		s.ackMu.Lock()
		n := len(s.rp.inflight)
		s.ackMu.Unlock()
		s.mu.Lock()
		n += len(s.queuedIDs)
		s.mu.Unlock()
		if n < replayWindow {
			return true
		}
		select {
		case <-s.rp.ackWake:
		case <-ctx.Done():
			return false
		}
	}
}

// goLive makes the subscriber live unless events were let go from its
// hold, in which case it returns false and the replay reads on. The held
// events that the replay from start did not send (ids not in (start,
// after]) are queued first, in archive order; from then on Publish queues
// events directly, but for those the replay sent. With seam false every
// held event is queued.
func (s *subConn) goLive(start, after int64, seam bool) bool {
	bc := s.bc
	rp := s.rp
	bc.pubMu.Lock()
	defer bc.pubMu.Unlock()
	if rp.overflow && seam {
		rp.overflow = false
		return false
	}
	held := rp.held
	rp.held = nil
	rp.overflow = false
	// Events are archived in id order but may be published slightly out of
	// it; id 0 (not archived) keeps its place at the end.
	slices.SortStableFunc(held, func(a, b heldEvent) int {
		ai, bi := a.ev.ArchiveID, b.ev.ArchiveID
		switch {
		case ai == bi:
			return 0
		case ai == 0:
			return 1
		case bi == 0:
			return -1
		case ai < bi:
			return -1
		}
		return 1
	})
	var memo map[*voevent.Filter]bool
	for _, h := range held {
		if seam && replayed(h.ev, start, after) {
			continue
		}
		if fs := s.filters.Load(); fs != nil && len(*fs) > 0 {
			if memo == nil {
				memo = map[*voevent.Filter]bool{}
			}
			if !bc.matchAny(*fs, h.ev, memo) {
				s.passedOver(h.ev.ArchiveID)
				continue
			}
		}
		s.enqueue(h.frame, true, h.ev.ArchiveID)
	}
	rp.live = true
	if seam {
		rp.skipFrom, rp.skipUpTo = start, after
	}
	return true
}

// replayed says whether a replay over the archive ids (start, after] sent
// ev (or passed it over).
func replayed(ev *voevent.Event, start, after int64) bool {
	return ev.ArchiveID > start && ev.ArchiveID <= after
}

// saveCursors records the cursors of the given subscribers, or of every
// connected one with a key whose cursor moved (or was saved more than
// cursorRefresh ago) when none is given.
func (bc *Broadcaster) saveCursors(only ...*subConn) {
	subs := only
	if len(subs) == 0 {
		subs = *bc.subs.Load()
	}
	now := time.Now()
	var cs []Cursor
	for _, s := range subs {
		if s.rp == nil {
			continue
		}
		c, ok := s.cursor(now)
		if !ok {
			continue
		}
		s.ackMu.Lock()
		due := len(only) > 0 || s.rp.savedAt.IsZero() || c.LastID != s.rp.savedID || now.Sub(s.rp.savedAt) >= cursorRefresh
		if due {
			s.rp.savedID, s.rp.savedAt = c.LastID, now
		}
		s.ackMu.Unlock()
		if due {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cursorTimeout)
	defer cancel()
	if err := bc.cfg.Replay.SaveCursors(ctx, cs); err != nil {
		bc.log.Warn("Cannot save subscribers' cursors", "err", err)
	}
}

// awaitAcks waits, at shutdown, until every event written has been
// acknowledged, for up to shutdownAckWait; it does nothing with replay off
// (Comet closes at once).
func (s *subConn) awaitAcks() {
	if s.rp == nil {
		return
	}
	deadline := time.NewTimer(shutdownAckWait)
	defer deadline.Stop()
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for {
		s.ackMu.Lock()
		n := len(s.rp.inflight)
		s.ackMu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-s.dead:
			return
		case <-deadline.C:
			return
		case <-poll.C:
		}
	}
}
