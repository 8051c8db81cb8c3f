package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/vtp"
)

// Upstream subscription defaults.
const (
	// DefaultAliveTimeout is Comet's ALIVE_INTERVAL: reconnect after this long without traffic.
	DefaultAliveTimeout = 120 * time.Second
	// DefaultMinBackoff is the first wait before reconnecting.
	DefaultMinBackoff = time.Second
	// DefaultMaxBackoff caps the wait before reconnecting.
	DefaultMaxBackoff = 60 * time.Second
	// DefaultDialTimeout bounds one connection attempt.
	DefaultDialTimeout = 30 * time.Second

	// stableConnection is how long a connection must last for the backoff to start again from the minimum.
	stableConnection = 30 * time.Second
	// answerTimeout bounds writing one answer to the upstream broker.
	answerTimeout = 30 * time.Second
)

// UpstreamConfig configures an Upstream; zero values take the defaults.
type UpstreamConfig struct {
	// Target is the upstream broker's broadcast endpoint.
	Target endpoint.Endpoint
	// Filters are XPath expressions sent upstream in the authenticate answer.
	Filters []string
	// AliveTimeout disconnects and reconnects when nothing arrives for this long (default 120 s).
	AliveTimeout time.Duration
	// MinBackoff is the first wait before reconnecting (default 1 s).
	MinBackoff time.Duration
	// MaxBackoff caps the wait, which doubles after each failure (default 60 s).
	MaxBackoff time.Duration
	// DialTimeout bounds one connection attempt (default 30 s).
	DialTimeout time.Duration
	// AcceptInvalid accepts, with a warning in the log, events that parse as a
	// VOEvent and carry an IVORN but fail the IVORN rules or the schema, as
	// Comet's subscriber does (it checks only "previously seen"): VOEvent 1.1
	// packets, for instance. Off, such events are acked and dropped.
	AcceptInvalid bool
}

// UpstreamState is a subscription's state, for a live view.
type UpstreamState struct {
	// Connected is true while a connection to the upstream broker is open.
	Connected bool
	// Since is when the state last changed: a connection opened or ended, or an attempt failed.
	Since time.Time
	// LastError says why the last connection attempt failed or the last connection ended; it is kept after a reconnection.
	LastError string
	// Received counts the events received from upstream, new or not.
	Received uint64
	// LastEvent is when the last event arrived; zero if none yet.
	LastEvent time.Time
	// NextAttempt is when the next connection attempt is due; zero while
	// connected or connecting.
	NextAttempt time.Time
}

// Upstream keeps a subscription to an upstream broker: it connects,
// answers authenticate and iamalive, acknowledges every event (never a nak,
// as Comet's subscriber: a nak would get it cut off), processes each event as
// the receiver does and dispatches the new ones; it reconnects with backoff
// when the connection fails or falls silent. Unlike Comet's subscriber, which
// checks only "previously seen", it runs the receiver's full check, so an
// invalid event is acked but neither stored nor passed on, unless
// UpstreamConfig.AcceptInvalid is set.
type Upstream struct {
	b      *Broker
	cfg    UpstreamConfig
	log    *slog.Logger
	target string
	source string

	mu    sync.Mutex
	state UpstreamState
	conn  net.Conn // the open connection, for Reconnect

	received atomic.Uint64
	kick     chan struct{} // Reconnect: skip the wait before the next attempt
}

// NewUpstream returns an upstream subscription to cfg.Target; call Run to start it.
func (b *Broker) NewUpstream(cfg UpstreamConfig) *Upstream {
	if cfg.AliveTimeout <= 0 {
		cfg.AliveTimeout = DefaultAliveTimeout
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = cfg.MinBackoff
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	cfg.Filters = append([]string(nil), cfg.Filters...)
	target := cfg.Target.String()
	return &Upstream{
		b:      b,
		cfg:    cfg,
		log:    b.log.With("component", "subscriber", "upstream", target),
		target: target,
		source: "upstream " + target,
		kick:   make(chan struct{}, 1),
	}
}

// Reconnect connects again now: a subscription waiting to retry tries at
// once, and a connected one closes its connection and connects afresh.
func (s *Upstream) Reconnect() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// State returns the subscription's current state.
func (s *Upstream) State() UpstreamState {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	st.Received = s.received.Load()
	return st
}

func (s *Upstream) setState(connected bool, lastErr string) {
	s.mu.Lock()
	s.state.Connected = connected
	s.state.Since = time.Now()
	if lastErr != "" {
		s.state.LastError = lastErr
	}
	s.mu.Unlock()
}

// Run keeps the subscription until ctx ends, and then returns ctx.Err().
// Call it once.
func (s *Upstream) Run(ctx context.Context) error {
	var backoff time.Duration
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := time.Now()
		connected, err := s.connectOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if connected && time.Since(start) >= stableConnection {
			backoff = 0
		}
		backoff = min(max(2*backoff, s.cfg.MinBackoff), s.cfg.MaxBackoff)
		wait := backoff/2 + rand.N(backoff/2+1)
		s.log.Info(fmt.Sprintf("Reconnecting to %s in %s", s.target, wait.Round(time.Millisecond)), "err", err)
		s.mu.Lock()
		s.state.NextAttempt = time.Now().Add(wait)
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.kick:
			t.Stop()
			s.log.Info("Reconnecting to " + s.target + " now, as asked")
		case <-t.C:
		}
		s.mu.Lock()
		s.state.NextAttempt = time.Time{}
		s.mu.Unlock()
	}
}

// connectOnce makes one connection and serves it until it ends.
func (s *Upstream) connectOnce(ctx context.Context) (bool, error) {
	d := net.Dialer{Timeout: s.cfg.DialTimeout}
	c, err := d.DialContext(ctx, s.cfg.Target.Network, s.cfg.Target.Address)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		s.log.Warn(fmt.Sprintf("Could not connect to %s: %v", s.target, err))
		s.setState(false, err.Error())
		return false, err
	}
	s.log.Info("Connected to " + s.target)
	s.setState(true, "")
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
	select { // a Reconnect asked before this connection is answered by it
	case <-s.kick:
	default:
	}
	s.b.notify(Activity{Kind: ActivityConnected, Peer: s.target})
	stop := context.AfterFunc(ctx, func() { c.Close() })
	err = s.serveConn(ctx, c)
	stop()
	c.Close()
	s.mu.Lock()
	s.conn = nil
	s.mu.Unlock()
	reason := "connection closed"
	if err != nil && ctx.Err() == nil {
		reason = err.Error()
	}
	if ctx.Err() != nil {
		reason = "subscription stopped"
	}
	s.log.Info(fmt.Sprintf("Disconnected from %s (%s)", s.target, reason))
	s.setState(false, reason)
	s.b.notify(Activity{Kind: ActivityDisconnected, Peer: s.target, Reason: reason})
	return true, err
}

// errSilent reports an upstream that sent nothing within the alive timeout.
var errSilent = errors.New("no traffic from upstream")

// serveConn reads and answers packets from the upstream broker until the
// connection fails, falls silent or ctx ends. It works over any net.Conn.
func (s *Upstream) serveConn(ctx context.Context, c net.Conn) error {
	fr := vtp.NewFrameReader(c, 4096, s.b.MaxFrame())
	for {
		c.SetReadDeadline(time.Now().Add(s.cfg.AliveTimeout))
		raw, err := fr.NextOwned() // an event is kept and relayed after the next read
		if err != nil {
			var ne net.Error
			var tooLarge *vtp.FrameTooLargeError
			switch {
			case errors.Is(err, vtp.ErrEmptyFrame):
				s.log.Warn("Unparsable message received", "err", err)
				continue
			case errors.As(err, &ne) && ne.Timeout():
				s.log.Info(fmt.Sprintf("No iamalive received from %s for %d seconds; disconnecting", s.target, int(s.cfg.AliveTimeout.Seconds())))
				return fmt.Errorf("%w for %s", errSilent, s.cfg.AliveTimeout)
			case errors.As(err, &tooLarge):
				s.log.Info("Length limit exceeded: " + err.Error())
			}
			return errors.New("upstream " + vtp.DescribeReadError(err, fr.Frames(), s.cfg.AliveTimeout))
		}
		if err := s.handle(ctx, c, raw); err != nil {
			return err
		}
	}
}

// handle acts on one packet, as Comet's VOEventSubscriber.stringReceived; it
// returns an error only when an answer could not be written.
func (s *Upstream) handle(ctx context.Context, c net.Conn, raw []byte) error {
	root, ok := vtp.PeekRoot(raw)
	var m *vtp.Message
	if !ok || root.Local == "Transport" {
		var err error
		m, err = vtp.Parse(raw)
		switch {
		case err == nil:
			root.Role = m.Role
		case ok || !errors.Is(err, vtp.ErrNotTransport):
			s.log.Warn("Unparsable message received", "err", err)
			return nil
		}
		// Otherwise it is not a Transport packet: the checker judges it as an event.
	}
	localIVO := s.b.LocalIVO()
	switch {
	case m != nil && root.Role == vtp.RoleIAmAlive:
		s.log.Debug("IAmAlive received from " + s.target)
		return s.answer(c, vtp.IAmAliveResponse(localIVO, m.Origin))
	case m != nil && root.Role == vtp.RoleAuthenticate:
		s.log.Debug("Authenticate received from " + s.target)
		return s.answer(c, vtp.AuthenticateResponse(localIVO, m.Origin, s.cfg.Filters))
	case m != nil:
		logf(s.log, slog.LevelWarn, nil, msgIncomprehend, s.target, m.Role)
		return nil
	}
	s.received.Add(1)
	s.mu.Lock()
	s.state.LastEvent = time.Now()
	s.mu.Unlock()
	o := s.process(ctx, raw)
	ivorn := o.IVORN
	if ivorn == "" {
		ivorn = root.IVORN
	}
	if o.Accepted {
		logf(s.log, slog.LevelInfo, nil, msgAccepted, ivorn, s.target)
		a := o.ack(s.source)
		a.IVORN = ivorn
		s.b.notify(a)
	} else {
		logf(s.log, slog.LevelInfo, []any{"ivorn", ivorn}, msgRejected, o.Reason)
		s.b.notify(Activity{Kind: ActivityDrop, IVORN: ivorn, Peer: s.source, Reason: o.Reason})
	}
	// Always an ack, never a nak: upstream would drop us (Comet's can_nak=False).
	if err := s.answer(c, vtp.Ack(localIVO, ivorn)); err != nil {
		return err
	}
	if o.Accepted {
		s.b.Dispatch(o.Event, s.source)
	}
	return nil
}

// process checks and commits an event from upstream as Broker.Process does,
// but with AcceptInvalid an event that only fails the IVORN or schema check
// is committed too.
func (s *Upstream) process(ctx context.Context, raw []byte) Outcome {
	return s.b.process(ctx, raw, Origin{Source: s.source}, s.cfg.AcceptInvalid)
}

func (s *Upstream) answer(c net.Conn, packet []byte) error {
	c.SetWriteDeadline(time.Now().Add(answerTimeout))
	if err := vtp.WriteFrame(c, packet); err != nil {
		return fmt.Errorf("could not answer: %w", err)
	}
	return nil
}
