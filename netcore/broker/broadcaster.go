package broker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
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
	mu        sync.Mutex
	subs      atomic.Pointer[[]*subConn]
	quit      chan struct{}
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
	bc := &Broadcaster{
		b:       b,
		cfg:     cfg,
		log:     b.log.With("component", "broadcaster"),
		quit:    make(chan struct{}),
		filters: map[string]*voevent.Filter{},
	}
	bc.srv = newServer(bc.log)
	bc.subs.Store(&[]*subConn{})
	return bc
}

// Serve accepts subscribers on l until Shutdown; it returns ErrServerClosed then.
// The first call also starts the iamalive and test-event timers.
func (bc *Broadcaster) Serve(l net.Listener) error {
	bc.log.Info(fmt.Sprintf("Broadcasting events on %s (accepting subscriptions from %s)", l.Addr(), bc.cfg.Whitelist))
	return bc.srv.serve(l, func() { bc.startOnce.Do(bc.startLoops) }, bc.serveConn)
}

// Shutdown stops accepting and the timers, sends each subscriber what is
// already queued for it, closes every connection, and returns when all are
// closed, or when ctx ends, in which case the remaining connections are cut.
func (bc *Broadcaster) Shutdown(ctx context.Context) error {
	return bc.srv.shutdown(ctx, func() { close(bc.quit) })
}

// Subscribers is the number of connected subscribers.
func (bc *Broadcaster) Subscribers() int { return len(*bc.subs.Load()) }

// HandleEvent publishes ev to the subscribers, making the broadcaster a relay.
func (bc *Broadcaster) HandleEvent(ev *voevent.Event, source string) { bc.Publish(ev) }

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
		if fs := s.filters.Load(); fs != nil && len(*fs) > 0 {
			if memo == nil {
				memo = make(map[*voevent.Filter]bool, 4)
			}
			if !bc.matchAny(*fs, ev, memo) {
				continue
			}
		}
		if s.enqueue(frame, true) {
			sent++
		}
	}
	bc.log.Info(fmt.Sprintf("Event %s forwarded to %d of %d subscribers", ev.IVORN, sent, len(subs)))
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
	bc.srv.wg.Add(1)
	go func() {
		defer bc.srv.wg.Done()
		t := time.NewTicker(bc.cfg.IAmAliveInterval)
		defer t.Stop()
		for {
			select {
			case <-bc.quit:
				return
			case <-t.C:
				bc.sendIAmAlive()
			}
		}
	}()
	if bc.cfg.TestInterval > 0 {
		bc.srv.wg.Add(1)
		go func() {
			defer bc.srv.wg.Done()
			t := time.NewTicker(bc.cfg.TestInterval)
			defer t.Stop()
			for {
				select {
				case <-bc.quit:
					return
				case now := <-t.C:
					bc.sendTestEvent(now)
				}
			}
		}()
	}
}

// sendIAmAlive checks every subscriber and sends it an iamalive, as Comet's
// sendIAmAlive does.
func (bc *Broadcaster) sendIAmAlive() {
	subs := *bc.subs.Load()
	if len(subs) == 0 {
		return
	}
	bc.log.Debug("Broadcasting iamalive")
	frame := vtp.AppendFrame(nil, vtp.IAmAlive(bc.b.cfg.LocalIVO))
	for _, s := range subs {
		// Comet drops a subscriber with MaxOutstandingAcks unacknowledged at
		// the check; one that acked anything since the last check is only
		// busy with a burst, and is kept.
		acks := s.acks.Load()
		progressed := acks != s.ackedAtCheck
		s.ackedAtCheck = acks
		switch {
		case s.alive.Load() >= maxAliveCount:
			s.drop("Peer appears to be dead; dropping connection")
		case s.outstanding.Load() >= int64(bc.cfg.MaxOutstandingAcks) && !progressed:
			s.drop("Peer is not acknowledging events; dropping connection")
		default:
			s.alive.Add(1)
			if !s.enqueue(frame, false) {
				decrementToZero(&s.alive)
			}
		}
	}
}

// sendTestEvent builds a test event, commits it like any received event (so it
// is archived, and refused should it come back from a downstream broker), and
// sends it to the subscribers.
func (bc *Broadcaster) sendTestEvent(now time.Time) {
	raw := voevent.TestEvent(bc.b.cfg.LocalIVO, now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-bc.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	o := bc.b.Process(ctx, raw, testEventSource)
	if !o.Accepted {
		bc.log.Warn("Test event not sent: "+o.Reason, "ivorn", o.IVORN)
		bc.b.notify(Activity{Kind: "error", IVORN: o.IVORN, Peer: testEventSource, Reason: o.Reason})
		return
	}
	bc.log.Debug("Broadcasting test event", "ivorn", o.IVORN)
	bc.b.notify(Activity{Kind: "test", IVORN: o.IVORN, Peer: testEventSource})
	if bc.cfg.TestEventsToHandlers {
		bc.b.Dispatch(o.Event, testEventSource)
	} else {
		bc.Publish(o.Event)
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

// subConn is one connected subscriber.
type subConn struct {
	bc   *Broadcaster
	c    net.Conn
	peer string

	mu           sync.Mutex
	queue        [][]byte
	queuedEvents int64
	closed       bool
	spare        [][]byte // the writer's other queue array; only the writer touches it

	wake     chan struct{}
	dead     chan struct{}
	dropOnce sync.Once
	reason   string // why it was dropped; written once in drop

	alive       atomic.Int64 // iamalives sent and not answered
	outstanding atomic.Int64 // events written and not acknowledged
	// acks counts acks received; ackedAtCheck is its value at the last
	// iamalive check, so a subscriber that is acking a burst is not dropped.
	acks         atomic.Int64
	ackedAtCheck int64
	filters      atomic.Pointer[[]*voevent.Filter]
}

// serveConn runs one subscriber connection: the reader here, the writer in
// its own goroutine. It returns when the connection is closed.
func (bc *Broadcaster) serveConn(c net.Conn) {
	peer := peerName(c)
	if !bc.cfg.Whitelist.Allows(c.RemoteAddr()) {
		c.Close()
		bc.log.Info("Attempted subscription from non-whitelisted " + peer)
		bc.b.notify(Activity{Kind: "drop", Peer: peer, Reason: "not in the broadcast whitelist"})
		return
	}
	s := &subConn{bc: bc, c: c, peer: peer, wake: make(chan struct{}, 1), dead: make(chan struct{})}
	s.enqueue(vtp.AppendFrame(nil, vtp.Authenticate(bc.b.cfg.LocalIVO)), false)
	bc.addSub(s)
	// Logged once registered: from this line on, every published event reaches it.
	bc.log.Info("New subscriber at " + peer)
	bc.b.notify(Activity{Kind: "subscribe", Peer: peer})
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		s.writeLoop()
	}()
	err := s.readLoop()
	s.drop("")
	writer.Wait()
	bc.removeSub(s)
	reason := s.reason
	if reason == "" {
		reason = "closed by the subscriber"
		if !errors.Is(err, io.EOF) {
			reason = "connection lost: " + err.Error()
		}
	}
	bc.log.Info("Subscriber at " + peer + " disconnected")
	bc.b.notify(Activity{Kind: "unsubscribe", Peer: peer, Reason: reason})
}

// enqueue queues a framed packet for the writer; it drops the subscriber and
// returns false when the queue is full.
func (s *subConn) enqueue(frame []byte, event bool) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	if n := len(s.queue); n >= s.bc.cfg.QueueLen {
		s.mu.Unlock()
		s.drop(fmt.Sprintf("Subscriber is not keeping up (%d packets queued); dropping connection", n))
		return false
	}
	s.queue = append(s.queue, frame)
	if event {
		s.queuedEvents++
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// drop closes the connection once, logging why (nothing when reason is empty).
func (s *subConn) drop(reason string) {
	s.dropOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.queue = nil
		s.mu.Unlock()
		s.reason = reason
		close(s.dead)
		if reason != "" {
			s.bc.log.Info(reason, "peer", s.peer)
		}
		s.c.Close()
	})
}

// writeLoop writes queued packets, all that are waiting in one call, until
// the subscriber is dropped or the broadcaster shuts down. Writes to one
// subscriber are at least BatchInterval apart, so that under load events go
// out in batches rather than one system call each.
func (s *subConn) writeLoop() {
	gap := s.bc.cfg.BatchInterval
	var timer *time.Timer
	var last time.Time
	for {
		select {
		case <-s.dead:
			return
		case <-s.bc.quit:
			s.flush()
			s.drop("Broker shutting down; closing connection")
			return
		case <-s.wake:
		}
		if wait := gap - time.Since(last); gap > 0 && wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			select {
			case <-s.dead:
				return
			case <-s.bc.quit:
				continue // the next round drains the queue and closes
			case <-timer.C:
			}
		}
		last = time.Now()
		if err := s.flush(); err != nil {
			s.drop("Write to subscriber failed (" + err.Error() + "); dropping connection")
			return
		}
	}
}

func (s *subConn) flush() error {
	s.mu.Lock()
	batch, events := s.queue, s.queuedEvents
	s.queue, s.queuedEvents = s.spare[:0], 0
	s.mu.Unlock()
	if len(batch) == 0 {
		s.spare = batch
		return nil
	}
	// Count before writing, so that an ack cannot arrive before its event is counted.
	s.outstanding.Add(events)
	s.c.SetWriteDeadline(time.Now().Add(s.bc.cfg.WriteTimeout))
	var err error
	if len(batch) == 1 {
		_, err = s.c.Write(batch[0])
	} else {
		bufs := net.Buffers(batch)
		_, err = bufs.WriteTo(s.c)
	}
	clear(batch)
	if cap(batch) > 64 && len(batch) < cap(batch)/4 {
		batch = nil // let a burst's large array go
	}
	s.spare = batch[:0]
	return err
}

// readLoop handles what the subscriber sends until the connection fails, and
// returns the error that ended it.
func (s *subConn) readLoop() error {
	br := bufio.NewReaderSize(s.c, readBufferSize)
	maxFrame := s.bc.b.cfg.MaxFrame
	for {
		payload, err := nextFrame(br, maxFrame)
		if err != nil {
			if errors.Is(err, vtp.ErrEmptyFrame) {
				s.bc.log.Warn("Unparsable message received", "peer", s.peer, "err", err)
				continue
			}
			var tooLarge *vtp.FrameTooLargeError
			if errors.As(err, &tooLarge) {
				s.drop("Length limit exceeded from " + s.peer + ": " + err.Error() + "; dropping connection")
			}
			return err
		}
		s.handle(payload)
	}
}

// handle acts on one packet from the subscriber, as Comet's stringReceived.
// Acks and iamalives are recognised from the root element's role attribute
// without a full parse: a thousand subscribers acknowledge every event.
func (s *subConn) handle(payload []byte) {
	log := s.bc.log
	var m *vtp.Message
	root, ok := scanRoot(payload)
	if !ok {
		var err error
		if m, err = vtp.Parse(payload); err != nil {
			log.Warn("Unparsable message received", "peer", s.peer, "err", err)
			return
		}
		root.role = m.Role
	}
	switch root.role {
	case vtp.RoleIAmAlive:
		if log.Enabled(context.Background(), slog.LevelDebug) {
			log.Debug("IAmAlive received from " + s.peer)
		}
		decrementToZero(&s.alive)
	case vtp.RoleAck:
		if log.Enabled(context.Background(), slog.LevelDebug) {
			log.Debug("Ack received from " + s.peer)
		}
		decrementToZero(&s.outstanding)
		s.acks.Add(1)
	case vtp.RoleNak:
		s.drop("Nak received from " + s.peer + "; terminating")
	case vtp.RoleAuthenticate:
		if m == nil {
			var err error
			if m, err = vtp.Parse(payload); err != nil {
				log.Warn("Unparsable message received", "peer", s.peer, "err", err)
				return
			}
		}
		log.Debug("Authentication received from " + s.peer)
		fs := make([]*voevent.Filter, 0, len(m.Filters))
		for _, expr := range m.Filters {
			log.Info(fmt.Sprintf("Installing filter %s for %s", expr, s.peer))
			f, err := s.bc.compile(expr)
			if err != nil {
				log.Info(fmt.Sprintf("Filter %s is not valid XPath", expr), "err", err)
				continue
			}
			fs = append(fs, f)
		}
		s.filters.Store(&fs)
	default:
		log.Warn(fmt.Sprintf("Incomprehensible data received from %s (role=%s)", s.peer, root.role))
	}
}

// decrementToZero lowers a counter that never goes below zero.
func decrementToZero(v *atomic.Int64) {
	for {
		n := v.Load()
		if n <= 0 || v.CompareAndSwap(n, n-1) {
			return
		}
	}
}

// nextFrame reads one frame. A frame that fits the reader's buffer is
// returned without copying and is valid only until the next read.
func nextFrame(br *bufio.Reader, max int) ([]byte, error) {
	hdr, err := br.Peek(4)
	if err != nil {
		if err == io.EOF && br.Buffered() > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr)
	if max <= 0 {
		max = vtp.DefaultMaxFrame
	}
	switch {
	case n == 0:
		br.Discard(4)
		return nil, vtp.ErrEmptyFrame
	case int64(n) > int64(max):
		return nil, &vtp.FrameTooLargeError{Declared: n, Limit: max}
	case int(n)+4 <= br.Size():
		buf, err := br.Peek(int(n) + 4)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		br.Discard(int(n) + 4)
		return buf[4:], nil
	}
	br.Discard(4)
	buf := make([]byte, n)
	if _, err := io.ReadFull(br, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// rootInfo is what scanRoot finds in a packet's root start tag.
type rootInfo struct {
	local string // the element's local name: "Transport", "VOEvent"
	role  string
	ivorn string
}

// scanRoot reads the root element's name and its role and ivorn attributes
// from the start of an XML document without parsing the rest. It skips an XML
// declaration, comments, processing instructions and a byte-order mark, and
// reports false for anything it does not understand.
func scanRoot(b []byte) (rootInfo, bool) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	for {
		b = skipSpace(b)
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return rootInfo{}, false
			}
			b = b[i+2:]
			continue
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b[4:], []byte("-->"))
			if i < 0 {
				return rootInfo{}, false
			}
			b = b[4+i+3:]
			continue
		case bytes.HasPrefix(b, []byte("<")) && len(b) > 1 && b[1] != '!' && b[1] != '/':
		default:
			return rootInfo{}, false
		}
		break
	}
	b = b[1:]
	name, b := scanName(b)
	if len(name) == 0 {
		return rootInfo{}, false
	}
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	if len(name) == 0 {
		return rootInfo{}, false
	}
	r := rootInfo{local: intern(name)}
	for {
		rest := skipSpace(b)
		if len(rest) == 0 {
			return rootInfo{}, false
		}
		if rest[0] == '>' || rest[0] == '/' {
			return r, true
		}
		if len(rest) == len(b) {
			return rootInfo{}, false // attributes must be separated by white space
		}
		attr, after := scanName(rest)
		if len(attr) == 0 {
			return rootInfo{}, false
		}
		after = skipSpace(after)
		if len(after) < 2 || after[0] != '=' {
			return rootInfo{}, false
		}
		after = skipSpace(after[1:])
		if len(after) < 2 || (after[0] != '"' && after[0] != '\'') {
			return rootInfo{}, false
		}
		end := bytes.IndexByte(after[1:], after[0])
		if end < 0 {
			return rootInfo{}, false
		}
		val := after[1 : 1+end]
		if bytes.IndexByte(val, '<') >= 0 {
			return rootInfo{}, false
		}
		switch string(attr) { // no allocation: the compiler compares in place
		case "role":
			r.role = intern(val)
		case "ivorn":
			r.ivorn = unescapeAttr(val)
		}
		b = after[2+end:]
	}
}

// skipSpace drops leading XML white space.
func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// scanName reads an XML name (loosely: up to white space, '=', '>' or '/').
func scanName(b []byte) ([]byte, []byte) {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case ' ', '\t', '\r', '\n', '=', '>', '/', '<', '"', '\'':
			return b[:i], b[i:]
		}
	}
	return nil, nil
}

// intern returns the names and roles that arrive with every packet without allocating.
func intern(b []byte) string {
	switch string(b) {
	case "Transport":
		return "Transport"
	case "VOEvent":
		return "VOEvent"
	case vtp.RoleAck:
		return vtp.RoleAck
	case vtp.RoleIAmAlive:
		return vtp.RoleIAmAlive
	case vtp.RoleNak:
		return vtp.RoleNak
	case vtp.RoleAuthenticate:
		return vtp.RoleAuthenticate
	}
	return string(b)
}

// attrUnescaper undoes the five predefined entities; character references are left alone.
var attrUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&")

func unescapeAttr(v []byte) string {
	if bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	return attrUnescaper.Replace(string(v))
}
