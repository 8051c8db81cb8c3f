package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Outcome is what became of one record.
type Outcome int

// The outcomes of a record.
const (
	// Stored: a new event, now in the archive.
	Stored Outcome = iota
	// Duplicate: seen before; dropped quietly.
	Duplicate
	// Refused: the checks refused it (logged with its reason); never relayed.
	Refused
	// Skipped: neither VOEvent nor JSON.
	Skipped
)

// Handler takes the records of a source. Handle is called concurrently for
// the records of one fetch. It returns once the record's event is durably
// stored, or refused for good; an error means "not stored, try again later"
// (the fetch's offsets are then not committed and the source reconnects and
// reads them again). after, when not nil, is called once every record of the
// fetch is stored, in the records' order: it passes the event on.
type Handler interface {
	Handle(ctx context.Context, r *Record) (o Outcome, after func(), err error)
}

// ConsumerConfig is a Kafka source: a cluster, topics, a group and a start.
type ConsumerConfig struct {
	Config
	// Topics are names, or regular expressions when they start with ^.
	Topics []string
	// Group is the consumer group id; it must stay the same across restarts.
	Group string
	// From is where a new group starts reading (default latest).
	From From
	// MinBackoff and MaxBackoff bound the wait before reconnecting (1 s, 60 s).
	MinBackoff, MaxBackoff time.Duration
	// HealthInterval is how often the health line is logged (default 60 s; <0 never).
	HealthInterval time.Duration
	// Concurrency bounds the records of a fetch handled at once (default 256).
	Concurrency int
	// InstanceID, when set, makes the consumer a static member of its
	// group: restarted after a crash, it takes its old place at once
	// instead of waiting for the dead member's session to time out (45 s).
	// It must be stable across restarts and unique among the group's members.
	InstanceID string
}

// Consumer reads a source's topics and hands each record to a Handler,
// committing a fetch's offsets only after every record of it is stored.
type Consumer struct {
	cfg     ConsumerConfig
	handler Handler
	log     *slog.Logger
	health  *healthState
	tokens  *TokenSource

	mu       sync.Mutex
	paused   bool
	backfill *From
	wake     chan struct{} // kicks the run loop: pause, resume, backfill
	restart  chan struct{} // ends the current session
	watchers []func(Health)
}

// NewConsumer returns a consumer; call Run to start it.
func NewConsumer(cfg ConsumerConfig, h Handler, log *slog.Logger) (*Consumer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, _, err := SplitTopics(cfg.Topics); err != nil {
		return nil, err
	}
	if len(cfg.Topics) == 0 {
		return nil, errors.New("no Kafka topic given (--kafka-topic)")
	}
	if cfg.Group == "" {
		return nil, errors.New("no consumer group given")
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(time.Minute, cfg.MinBackoff)
	}
	if cfg.HealthInterval == 0 {
		cfg.HealthInterval = time.Minute
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 256
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Bootstrap[0]
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	warnInsecure(cfg.Config, log)
	return &Consumer{cfg: cfg, handler: h, log: log.With("component", "kafka", "source", cfg.Name),
		health: newHealthState(cfg.Name), tokens: newTokenSource(cfg.Config),
		wake: make(chan struct{}, 1), restart: make(chan struct{}, 1)}, nil
}

// Name is the source's label.
func (c *Consumer) Name() string { return c.cfg.Name }

// Health returns the source's health now.
func (c *Consumer) Health() Health { return c.health.snapshot() }

// Watch registers f to be told of every change of state; f must not block.
func (c *Consumer) Watch(f func(Health)) {
	c.mu.Lock()
	c.watchers = append(c.watchers, f)
	c.mu.Unlock()
}

// Pause stops reading until Resume; nothing is lost (offsets stay committed).
func (c *Consumer) Pause() { c.setPaused(true) }

// Resume reads again after Pause.
func (c *Consumer) Resume() { c.setPaused(false) }

func (c *Consumer) setPaused(p bool) {
	c.mu.Lock()
	c.paused = p
	c.mu.Unlock()
	c.kick()
}

// Backfill reads the source's topics again from f; what was already stored is
// dropped by the seen-list.
func (c *Consumer) Backfill(f From) {
	c.mu.Lock()
	c.backfill = &f
	c.paused = false
	c.mu.Unlock()
	c.kick()
}

func (c *Consumer) kick() {
	for _, ch := range []chan struct{}{c.restart, c.wake} {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (c *Consumer) setState(st State, errText string) {
	if !c.health.setState(st, errText) {
		return
	}
	switch st {
	case StateError:
		c.log.Warn("Kafka source " + c.cfg.Name + ": " + errText)
	default:
		c.log.Info("Kafka source " + c.cfg.Name + ": " + string(st))
	}
	h := c.health.snapshot()
	c.mu.Lock()
	ws := c.watchers
	c.mu.Unlock()
	for _, w := range ws {
		w(h)
	}
}

// Run consumes until ctx ends, reconnecting with backoff after a failure,
// and returns ctx.Err(). Call it once.
func (c *Consumer) Run(ctx context.Context) error {
	defer c.setState(StateStopped, "")
	go c.logHealth(ctx)
	var failures int
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.mu.Lock()
		paused, backfill := c.paused, c.backfill
		c.backfill = nil
		c.mu.Unlock()
		if paused {
			c.setState(StatePaused, "")
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-c.wake:
			}
			continue
		}
		select { // a kick that arrived before this session is already answered
		case <-c.restart:
		default:
		}
		start := time.Now()
		err := c.session(ctx, backfill)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil { // paused, or a backfill asked for: go round at once
			failures = 0
			continue
		}
		if time.Since(start) > 2*time.Minute {
			failures = 0
		}
		failures++
		c.setState(StateError, Explain(err))
		wait := min(c.cfg.MinBackoff<<min(failures-1, 10), c.cfg.MaxBackoff)
		wait = wait/2 + rand.N(wait/2+1)
		c.log.Info(fmt.Sprintf("Reconnecting to Kafka source %s in %s", c.cfg.Name, wait.Round(time.Millisecond)))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-c.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

func (c *Consumer) logHealth(ctx context.Context) {
	if c.cfg.HealthInterval < 0 {
		return
	}
	t := time.NewTicker(min(c.cfg.HealthInterval, HeartbeatSilence))
	defer t.Stop()
	var lastLog time.Time
	warned := false
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			h := c.health.snapshot()
			silent := h.HeartbeatSilent(now)
			if silent && !warned {
				c.log.Warn(fmt.Sprintf("Kafka source %s: %s has been silent for %s", c.cfg.Name, HeartbeatTopic, now.Sub(h.LastHeartbeat).Round(time.Second)))
			}
			warned = silent
			if now.Sub(lastLog) >= c.cfg.HealthInterval {
				c.log.Info("Kafka source " + h.String())
				lastLog = now
			}
		}
	}
}

// options are the client options of one session.
func (c *Consumer) options(backfill *From, connErr *lastError) []kgo.Opt {
	opts := clientOptions(c.cfg.Config, c.tokens, connErr)
	names, patterns, _ := SplitTopics(c.cfg.Topics)
	if len(patterns) > 0 {
		for _, n := range names {
			patterns = append(patterns, "^"+regexp.QuoteMeta(n)+"$")
		}
		opts = append(opts, kgo.ConsumeTopics(patterns...), kgo.ConsumeRegex())
	} else {
		opts = append(opts, kgo.ConsumeTopics(names...))
	}
	opts = append(opts,
		kgo.ConsumerGroup(c.cfg.Group),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.ConsumeStartOffset(startOffset(c.cfg.From)),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxPartitionBytes(MaxRecordBytes),
		kgo.FetchMaxBytes(4*MaxRecordBytes),
		kgo.FetchMaxWait(500*time.Millisecond),
		kgo.MetadataMaxAge(time.Minute),
	)
	if c.cfg.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(c.cfg.InstanceID))
	}
	if backfill != nil {
		// The group's committed offsets are replaced, once, by the offsets
		// at the backfill's start; from there commits move on as usual.
		from := startOffset(*backfill)
		var once sync.Once
		opts = append(opts, kgo.AdjustFetchOffsetsFn(func(_ context.Context, offs map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
			once.Do(func() {
				c.log.Info("Kafka source " + c.cfg.Name + ": backfilling from " + backfill.String())
				for _, parts := range offs {
					for p := range parts {
						parts[p] = from
					}
				}
			})
			return offs, nil
		}))
	}
	return opts
}

func startOffset(f From) kgo.Offset {
	switch {
	case f.Earliest:
		return kgo.NewOffset().AtStart()
	case f.At.IsZero():
		return kgo.NewOffset().AtEnd()
	}
	return kgo.NewOffset().AfterMilli(f.At.UnixMilli())
}

// pollRecords bounds the records handled (and held, parsed, until the
// fetch is committed) at once: 1,024 instead of 4,096 lowers the backfill's
// peak RSS by about a quarter (213 → 163 MiB over 30,000 events) at the
// same CPU per event (BENCHMARKS.md, Kafka).
const pollRecords = 256

// session runs one client until it fails (an error), ctx ends, or a pause or
// backfill is asked for (nil).
func (c *Consumer) session(ctx context.Context, backfill *From) error {
	c.setState(StateConnecting, "")
	connErr := &lastError{}
	cl, err := kgo.NewClient(c.options(backfill, connErr)...)
	if err != nil {
		return err
	}
	defer cl.Close()
	defer cl.AllowRebalance() // a poll's block must be lifted before Close can leave the group
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	err = cl.Ping(pctx)
	cancel()
	if err != nil {
		return pingError(err, connErr)
	}
	// Connected and authenticated: a quiet topic is normal, so the source
	// is consuming now, not when its first record arrives. From here the
	// client reconnects by itself; the state follows its connections, so
	// that a cluster that goes away is seen (and logged) as such.
	c.setState(StateConsuming, "")
	connErr.setWatch(func(err error) {
		if err != nil {
			c.setState(StateError, "reconnecting: "+Explain(err))
		} else {
			c.setState(StateConsuming, "")
		}
	})
	defer connErr.setWatch(nil) // once the session ends, Run says what the state is
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-c.restart:
			stop()
		case <-sctx.Done():
		}
	}()
	for {
		fetches := cl.PollRecords(sctx, pollRecords)
		if sctx.Err() != nil {
			return nil
		}
		if fetches.IsClientClosed() {
			return errors.New("client closed")
		}
		if err := c.fetchErrors(fetches); err != nil {
			return err
		}
		c.setState(StateConsuming, "") // again after a pause or error state; logged only on change
		// A pause or backfill asked for now waits for this fetch to be
		// stored and committed (ctx, not sctx), so that it is not read again.
		if err := c.handleFetches(ctx, cl, fetches); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		cl.AllowRebalance()
	}
}
