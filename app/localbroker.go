package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/kafka"
)

// BrokerConfig is what a local broker listens on, subscribes to and runs.
type BrokerConfig struct {
	LocalIVO         string
	Receive          []endpoint.Endpoint
	ReceiveWhitelist broker.Whitelist
	MaxFrame         int
	ReceiveTimeout   time.Duration

	Broadcast          []endpoint.Endpoint
	BroadcastWhitelist broker.Whitelist
	// TestInterval is the time between broadcast test events (0 = off).
	TestInterval time.Duration
	// IAmAliveInterval is the time between iamalive packets (default 60 s).
	IAmAliveInterval time.Duration
	// NoReplay turns off the broadcaster's replay: a subscriber that comes
	// back gets live events only, as from Comet.
	NoReplay bool
	// ReplayGrace is how long after it was last seen a subscriber that comes
	// back is replayed what it missed (default 1 h).
	ReplayGrace time.Duration

	// Subscribe lists upstream brokers to subscribe to.
	Subscribe []broker.UpstreamConfig
	// Handlers run for every new event (--cmd, --print-event, --save-event).
	Handlers []broker.Handler

	// Kafka lists the Kafka sources to consume.
	Kafka []kafka.ConsumerConfig
	// Publish, when set, publishes every event accepted from the receiver or
	// a VTP subscription to a Kafka topic: each is queued in the transaction
	// that archives it, before the ack, and published from the queue.
	Publish *KafkaPublish
}

// LocalBroker is the core's broker serving on its listeners, with the
// subscriptions, Kafka sources and handlers it was started with.
type LocalBroker struct {
	b           *broker.Broker
	receiver    *broker.Receiver
	broadcaster *broker.Broadcaster
	upstreams   []*broker.Upstream
	consumers   []*kafka.Consumer
	recvL, bcL  []net.Listener
	cancelSubs  context.CancelFunc
	handlers    []broker.Handler
	publisher   *publisher // nil unless publishing to Kafka
	wg          sync.WaitGroup
	errs        chan error
}

func addrs(ls []net.Listener) []net.Addr {
	var out []net.Addr
	for _, l := range ls {
		out = append(out, l.Addr())
	}
	return out
}

// Counters are the broker's totals: everything it received, from the
// listeners, the subscriptions and the Kafka sources.
func (lb *LocalBroker) Counters() broker.Counters { return lb.b.Counters() }

// KafkaHandler is the handler through which a Kafka consumer feeds the
// broker (its checks, the archive, then its subscribers).
func (lb *LocalBroker) KafkaHandler() kafka.Handler { return lb.b.KafkaHandler() }

// Publishing says what the broker's Kafka publishing is doing; false when
// it publishes nothing.
func (lb *LocalBroker) Publishing() (PublishState, bool) {
	if lb.publisher == nil {
		return PublishState{}, false
	}
	return lb.publisher.State(), true
}

// ReceiveAddrs are the addresses the receiver listens on.
func (lb *LocalBroker) ReceiveAddrs() []net.Addr { return addrs(lb.recvL) }

// BroadcastAddrs are the addresses the broadcaster listens on.
func (lb *LocalBroker) BroadcastAddrs() []net.Addr { return addrs(lb.bcL) }

// Subscribers counts the subscribers connected to the broadcaster.
func (lb *LocalBroker) Subscribers() int {
	if lb.broadcaster == nil {
		return 0
	}
	return lb.broadcaster.Subscribers()
}

// Subscriptions returns the upstream subscriptions.
func (lb *LocalBroker) Subscriptions() []*broker.Upstream { return lb.upstreams }

// KafkaSources returns the Kafka sources the broker consumes.
func (lb *LocalBroker) KafkaSources() []*kafka.Consumer { return lb.consumers }

// Errors delivers errors that stop a listener unexpectedly.
func (lb *LocalBroker) Errors() <-chan error { return lb.errs }

// Listen binds a broker endpoint as the local broker does: TCP keep-alive
// off, a stale Unix socket replaced, and the usual failures in plain words.
func Listen(ep endpoint.Endpoint) (net.Listener, error) {
	if ep.Network == "unix" {
		if fi, err := os.Lstat(ep.Address); err == nil && fi.Mode()&os.ModeSocket != 0 {
			if c, err := net.Dial("unix", ep.Address); err == nil {
				c.Close()
				return nil, fmt.Errorf("socket %s is in use by another program", ep.Address)
			}
			os.Remove(ep.Address) // a stale socket from an earlier run
		}
	}
	// No TCP keep-alive probes, as in Comet: VTP has its own iamalive, and
	// an author's connection lasts one event (this saves several system
	// calls per connection).
	lc := net.ListenConfig{KeepAlive: -1}
	l, err := lc.Listen(context.Background(), ep.Network, ep.Address)
	switch {
	case err == nil:
		return l, nil
	case errors.Is(err, errAddrInUse):
		return nil, fmt.Errorf("cannot listen on %s: the port is in use by another program", ep)
	case errors.Is(err, errAccess):
		return nil, fmt.Errorf("cannot listen on %s: permission denied (ports below 1024 need privileges)", ep)
	case errors.Is(err, errAddrNotAvail):
		return nil, fmt.Errorf("cannot listen on %s: no such local address", ep)
	}
	return nil, fmt.Errorf("cannot listen on %s: %w", ep, err)
}

// Start binds every endpoint (all or none) and starts serving.
func (br *Brokers) Start(cfg BrokerConfig) (started *LocalBroker, err error) {
	c := br.c
	defer func() {
		if err == nil {
			c.changed(ChangeBroker) // after c.mu is released
		}
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broker != nil {
		return nil, errors.New("the local broker is already running")
	}
	if len(cfg.Receive)+len(cfg.Broadcast)+len(cfg.Subscribe)+len(cfg.Kafka) == 0 {
		return nil, errors.New("no services requested")
	}
	if c.b == nil {
		return nil, errors.New("this core opened its data directory beside another Starling and runs no broker")
	}
	b := c.b
	b.Configure(cfg.LocalIVO, cfg.MaxFrame, cfg.ReceiveTimeout)
	lb := &LocalBroker{b: b, handlers: cfg.Handlers, errs: make(chan error, 4)}
	for _, kc := range cfg.Kafka {
		if kc.InstanceID == "" {
			kc.InstanceID = c.kafkaInstanceID(kc.Group)
		}
		cons, err := kafka.NewConsumer(kc, b.KafkaHandler(), c.log)
		if err != nil {
			return nil, err
		}
		lb.consumers = append(lb.consumers, cons)
	}

	closeAll := func() {
		for _, l := range append(lb.recvL, lb.bcL...) {
			l.Close()
		}
	}
	for _, eps := range []struct {
		list []endpoint.Endpoint
		into *[]net.Listener
	}{{cfg.Receive, &lb.recvL}, {cfg.Broadcast, &lb.bcL}} {
		for _, ep := range eps.list {
			l, err := Listen(ep)
			if err != nil {
				closeAll()
				return nil, err
			}
			*eps.into = append(*eps.into, l)
		}
	}
	if p := cfg.Publish; p != nil {
		pub, err := kafka.NewPublisher(p.Config, p.Topic, cfg.LocalIVO, c.log)
		if err != nil {
			closeAll()
			return nil, err
		}
		// Before anything is served: every event accepted from now on is
		// queued with its archive row.
		b.SetPublish([]string{p.Topic})
		lb.publisher = c.startPublisher(p, pub)
	}
	if len(lb.bcL) > 0 {
		bcfg := broker.BroadcastConfig{
			Whitelist: cfg.BroadcastWhitelist, TestInterval: cfg.TestInterval,
			IAmAliveInterval: cfg.IAmAliveInterval, ReplayGrace: cfg.ReplayGrace,
		}
		if !cfg.NoReplay {
			bcfg.Replay = replayLog{c.store}
		}
		lb.broadcaster = b.NewBroadcaster(bcfg)
		lb.handlers = append([]broker.Handler{lb.broadcaster}, lb.handlers...) // the broadcaster first
	}
	for _, h := range lb.handlers {
		b.AddHandler(h)
	}
	serve := func(l net.Listener, serve func(net.Listener) error) {
		lb.wg.Add(1)
		go func() {
			defer lb.wg.Done()
			if err := serve(l); err != nil && !errors.Is(err, broker.ErrServerClosed) {
				select {
				case lb.errs <- err:
				default:
				}
			}
		}()
	}
	if len(lb.recvL) > 0 {
		lb.receiver = b.NewReceiver(cfg.ReceiveWhitelist)
		for _, l := range lb.recvL {
			serve(l, lb.receiver.Serve)
		}
	}
	for _, l := range lb.bcL {
		serve(l, lb.broadcaster.Serve)
	}
	ctx, cancel := context.WithCancel(c.ctx)
	lb.cancelSubs = cancel
	for _, sc := range cfg.Subscribe {
		s := b.NewUpstream(sc)
		lb.upstreams = append(lb.upstreams, s)
		lb.wg.Add(1)
		go func() {
			defer lb.wg.Done()
			s.Run(ctx)
		}()
	}
	for _, cons := range lb.consumers {
		lb.wg.Add(1)
		go func() {
			defer lb.wg.Done()
			cons.Run(ctx)
		}()
	}
	c.broker = lb
	if c.outbox != nil {
		c.outbox.Kick() // entries waiting for the local broker go now
	}
	return lb, nil
}

// Running returns the running local broker, or nil.
func (br *Brokers) Running() *LocalBroker {
	c := br.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.broker
}

// Stop stops the local broker, letting submissions in progress finish.
func (br *Brokers) Stop(ctx context.Context) error {
	c := br.c
	c.mu.Lock()
	lb := c.broker
	c.broker = nil
	c.mu.Unlock()
	if lb == nil {
		return nil
	}
	defer c.changed(ChangeBroker)
	lb.cancelSubs()
	var errs []error
	if lb.receiver != nil {
		errs = append(errs, lb.receiver.Shutdown(ctx))
	}
	if lb.broadcaster != nil {
		errs = append(errs, lb.broadcaster.Shutdown(ctx))
	}
	lb.wg.Wait()
	if lb.publisher != nil {
		lb.b.SetPublish(nil)
		errs = append(errs, lb.publisher.stop(ctx))
	}
	for _, h := range lb.handlers {
		lb.b.RemoveHandler(h)
		if h != broker.Handler(lb.broadcaster) {
			errs = append(errs, h.Close(ctx))
		}
	}
	return errors.Join(errs...)
}

// Addresses lists where the broker receives and broadcasts, for a person to read.
func (lb *LocalBroker) Addresses() (receive, broadcast string) {
	join := func(as []net.Addr) string {
		var parts []string
		for _, a := range as {
			parts = append(parts, a.String())
		}
		if len(parts) == 0 {
			return "nothing"
		}
		return strings.Join(parts, ", ")
	}
	return join(lb.ReceiveAddrs()), join(lb.BroadcastAddrs())
}
