package broker

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

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
	reason   DropReason // why it was dropped; written once in drop

	alive       atomic.Int64 // iamalives sent and not answered
	outstanding atomic.Int64 // events written and not acknowledged
	// acks counts acks received; ackedAtCheck is its value at the last
	// iamalive check, so a subscriber that is acking a burst is not dropped.
	acks         atomic.Int64
	ackedAtCheck int64
	filters      atomic.Pointer[[]*voevent.Filter]

	// With replay on: rp is its replay state, queuedIDs the archive ids of
	// the queued events (under mu), and ackMu guards rp's cursor fields.
	rp        *replayState
	queuedIDs []int64
	ackMu     sync.Mutex
}

// serveConn runs one subscriber connection: the reader here, the writer in
// its own goroutine. It returns when the connection is closed.
func (bc *Broadcaster) serveConn(c net.Conn) {
	peer := peerName(c)
	if !bc.cfg.Whitelist.Allows(c.RemoteAddr()) {
		c.Close()
		bc.log.Info("Attempted subscription from non-whitelisted " + peer)
		bc.b.notify(Activity{Kind: ActivityDrop, Peer: peer, Reason: "not in the broadcast whitelist"})
		return
	}
	s := &subConn{bc: bc, c: c, peer: peer, wake: make(chan struct{}, 1), dead: make(chan struct{})}
	if bc.cfg.Replay != nil {
		s.rp = &replayState{authed: make(chan struct{}), ackWake: make(chan struct{}, 1)}
	}
	s.enqueue(vtp.AppendFrame(nil, vtp.Authenticate(bc.b.LocalIVO())), false, 0)
	bc.addSub(s)
	// Logged once registered: from this line on, every published event reaches it.
	bc.log.Info("New subscriber at " + peer)
	bc.b.notify(Activity{Kind: ActivitySubscribe, Peer: peer})
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		s.writeLoop()
	}()
	if s.rp != nil {
		writer.Add(1)
		go func() {
			defer writer.Done()
			s.replay()
		}()
	}
	frames, err := s.readLoop()
	s.drop(DropNone, "")
	writer.Wait()
	if s.rp != nil {
		bc.saveCursors(s) // before it leaves the list: gone means saved
	}
	bc.removeSub(s)
	reason := s.reason.String()
	if s.reason == DropNone && !errors.Is(err, io.EOF) {
		reason = "connection lost: " + vtp.DescribeReadError(err, frames, 0)
	}
	bc.log.Info("Subscriber at " + peer + " disconnected")
	bc.b.notify(Activity{Kind: ActivityUnsubscribe, Peer: peer, Reason: reason})
}

// enqueue queues a framed packet for the writer, an event's with its
// archive id; it drops the subscriber and returns false when the queue is full.
func (s *subConn) enqueue(frame []byte, event bool, id int64) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	if n := len(s.queue); n >= s.bc.cfg.QueueLen {
		s.mu.Unlock()
		s.drop(DropSlow, strconv.Itoa(n))
		return false
	}
	s.queue = append(s.queue, frame)
	if event {
		s.queuedEvents++
		if s.rp != nil {
			s.queuedIDs = append(s.queuedIDs, id)
		}
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// drop closes the connection once, logging why (nothing for DropNone);
// detail adds what is known to the log line.
func (s *subConn) drop(reason DropReason, detail string) {
	s.dropOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.queue = nil
		s.mu.Unlock()
		s.reason = reason
		close(s.dead)
		if line := reason.logLine(s.peer, detail); line != "" {
			s.bc.log.Info(line, "peer", s.peer)
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
		case <-s.bc.ctx.Done():
			s.flush()
			s.awaitAcks()
			s.drop(DropShutdown, "")
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
			case <-s.bc.ctx.Done():
				continue // the next round drains the queue and closes
			case <-timer.C:
			}
		}
		last = time.Now()
		if err := s.flush(); err != nil {
			s.drop(DropWriteFailed, err.Error())
			return
		}
	}
}

func (s *subConn) flush() error {
	s.mu.Lock()
	batch, events := s.queue, s.queuedEvents
	s.queue, s.queuedEvents = s.spare[:0], 0
	if s.rp != nil && len(s.queuedIDs) > 0 {
		// Written from here on: waiting for acks. Taken under mu, so that
		// the ids are always in one list or the other.
		s.ackMu.Lock()
		s.rp.inflight = append(s.rp.inflight, s.queuedIDs...)
		s.ackMu.Unlock()
		s.queuedIDs = s.queuedIDs[:0]
	}
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
// returns how many frames it read and the error that ended it.
func (s *subConn) readLoop() (frames int, err error) {
	fr := vtp.NewFrameReader(s.c, readBufferSize, s.bc.b.MaxFrame())
	for {
		payload, err := fr.Next()
		if err != nil {
			if errors.Is(err, vtp.ErrEmptyFrame) {
				s.bc.log.Warn("Unparsable message received", "peer", s.peer, "err", err)
				continue
			}
			var tooLarge *vtp.FrameTooLargeError
			if errors.As(err, &tooLarge) {
				s.drop(DropTooLarge, err.Error())
			}
			return fr.Frames(), err
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
	root, ok := vtp.PeekRoot(payload)
	if !ok {
		var err error
		if m, err = vtp.Parse(payload); err != nil {
			log.Warn("Unparsable message received", "peer", s.peer, "err", err)
			return
		}
		root.Role = m.Role
	}
	switch root.Role {
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
		if s.rp != nil {
			s.acknowledged()
		}
	case vtp.RoleNak:
		s.drop(DropNak, "")
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
			logf(log, slog.LevelInfo, nil, msgInstallFilter, expr, s.peer)
			f, err := s.bc.compile(expr)
			if err != nil {
				logf(log, slog.LevelInfo, []any{"err", err}, msgBadFilter, expr)
				continue
			}
			fs = append(fs, f)
		}
		s.filters.Store(&fs)
		s.authenticated(m, m.Filters)
	default:
		logf(log, slog.LevelWarn, nil, msgIncomprehend, s.peer, root.Role)
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
