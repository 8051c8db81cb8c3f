package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/kafka"
)

// The publishing worker's defaults.
const (
	// DefaultPublishRetryBase is the wait after a first failed attempt to
	// publish; each further failure doubles it.
	DefaultPublishRetryBase = time.Second
	// DefaultPublishRetryCap bounds the wait between attempts.
	DefaultPublishRetryCap = time.Minute
	// DefaultPublishAttemptTimeout bounds one attempt, so that a cluster
	// that cannot be reached shows in the log and the backlog.
	DefaultPublishAttemptTimeout = 30 * time.Second
	// publishBatch is how many queued events one attempt produces.
	publishBatch = 256
)

// PublishState is what the broker's Kafka publishing is doing, for a
// status line.
type PublishState struct {
	Topic string
	// Waiting counts the events queued and not yet acknowledged by the
	// cluster, as of the worker's last look.
	Waiting int
	// Published counts the events published since the broker started.
	Published uint64
	// Failing is set while the last attempt failed; LastError says why and
	// NextAttempt when the worker tries again.
	Failing     bool
	LastError   string
	NextAttempt time.Time
}

// publisher publishes the publish queue's rows for one topic, in order,
// and marks each done once the cluster has acknowledged it (a
// transactional outbox: the rows are written with the archive rows,
// before the ack).
type publisher struct {
	c       *Core
	pub     *kafka.Publisher
	topic   string
	log     *slog.Logger
	retry   outbox.Policy // its backoff: RetryBase doubling up to RetryCap, no jitter
	timeout time.Duration

	wake     chan struct{}
	stopping chan struct{}
	done     chan struct{}
	cancel   context.CancelFunc
	unwatch  func()

	mu    sync.Mutex
	state PublishState
}

// startPublisher starts publishing the queue's rows for p.Topic under the
// core's context.
func (c *Core) startPublisher(p *KafkaPublish, pub *kafka.Publisher) *publisher {
	w := &publisher{
		c: c, pub: pub, topic: p.Topic, log: c.log.With("component", "kafka"),
		timeout: p.AttemptTimeout,
		wake:    make(chan struct{}, 1), stopping: make(chan struct{}), done: make(chan struct{}),
		state: PublishState{Topic: p.Topic},
	}
	w.retry = outbox.Policy{BackoffBase: cmp.Or(max(p.RetryBase, 0), DefaultPublishRetryBase),
		BackoffCap: cmp.Or(max(p.RetryCap, 0), DefaultPublishRetryCap)}
	if w.timeout <= 0 {
		w.timeout = DefaultPublishAttemptTimeout
	}
	// Watch before the first look, so that no enqueue is missed.
	w.unwatch = c.store.WatchPublish(func(topic string) {
		if topic == w.topic {
			w.kick()
		}
	})
	ctx, cancel := context.WithCancel(c.ctx)
	w.cancel = cancel
	w.logBacklog(ctx)
	go w.run(ctx)
	return w
}

func (w *publisher) kick() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// logBacklog says, at the start, what waits from an earlier run.
func (w *publisher) logBacklog(ctx context.Context) {
	bs, err := w.c.store.PublishBacklogs(ctx)
	if err != nil {
		w.log.Warn("cannot read the Kafka publish queue", "err", err)
		return
	}
	for _, b := range bs {
		switch {
		case b.Topic == w.topic && b.Waiting > 0:
			w.log.Info(fmt.Sprintf("Publishing to Kafka topic %s: %d events waiting from before, the oldest queued %s", b.Topic, b.Waiting, b.Oldest.UTC().Format(time.RFC3339)))
		case b.Waiting > 0:
			w.log.Warn(fmt.Sprintf("%d events queued for Kafka topic %s wait until a broker publishes to it again (this one publishes to %s)", b.Waiting, b.Topic, w.topic))
		}
		if b.Refused > 0 {
			w.log.Warn(fmt.Sprintf("%d events were refused by Kafka topic %s and will not be published", b.Refused, b.Topic))
		}
	}
}

// State returns what the worker is doing.
func (w *publisher) State() PublishState {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state
}

// stop publishes what is due without waiting for a backoff, until ctx
// ends, then stops the worker and closes its client.
func (w *publisher) stop(ctx context.Context) error {
	w.unwatch()
	close(w.stopping)
	closed := false
	select {
	case <-w.done:
	case <-ctx.Done():
		w.cancel()
		select {
		case <-w.done:
		case <-time.After(time.Second):
			// A produce already sent waits for its answer whatever the
			// cancel (the idempotent producer's rule); closing the client
			// ends it, and its rows stay queued.
			w.pub.Close(0)
			closed = true
			<-w.done
		}
	}
	w.cancel()
	var err error
	if !closed {
		timeout := 5 * time.Second
		if d, ok := ctx.Deadline(); ok {
			timeout = max(0, time.Until(d))
		}
		err = w.pub.Close(timeout)
	}
	if s := w.State(); s.Waiting > 0 {
		w.log.Info(fmt.Sprintf("%d events wait to be published to Kafka topic %s; they go when the broker publishes to it again", s.Waiting, w.topic))
	}
	return err
}

func (w *publisher) stopRequested() bool {
	select {
	case <-w.stopping:
		return true
	default:
		return false
	}
}

// wait waits for a kick (or, with until set, that time), the stop or the
// end of ctx; it returns false when the worker is to end.
func (w *publisher) wait(ctx context.Context, until time.Time) bool {
	var timer <-chan time.Time
	wake := w.wake
	if !until.IsZero() {
		t := time.NewTimer(time.Until(until))
		defer t.Stop()
		timer, wake = t.C, nil // a kick does not cut a backoff short
	}
	select {
	case <-ctx.Done():
		return false
	case <-w.stopping:
		return false
	case <-wake:
	case <-timer:
	}
	return true
}

func (w *publisher) run(ctx context.Context) {
	defer close(w.done)
	storeFailures := 0
	for ctx.Err() == nil {
		entries, err := w.c.store.PublishWaiting(ctx, w.topic, publishBatch)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			storeFailures++
			d := w.retry.Backoff(storeFailures)
			w.log.Error("cannot read the Kafka publish queue; trying again in "+d.String(), "err", err)
			if !w.wait(ctx, time.Now().Add(d)) {
				return
			}
			continue
		}
		storeFailures = 0
		w.setWaiting(ctx, len(entries))
		if len(entries) == 0 {
			if w.stopRequested() || !w.wait(ctx, time.Time{}) {
				return
			}
			continue
		}
		if head := entries[0]; head.NextAt.After(time.Now()) { // backing off
			if w.stopRequested() || !w.wait(ctx, head.NextAt) {
				return
			}
			continue
		}
		if ok, next := w.attempt(ctx, entries); !ok && (w.stopRequested() || !w.wait(ctx, next)) {
			return
		}
	}
}

// setWaiting records how many events wait: n, read from the queue, unless
// a whole batch was read and there are more.
func (w *publisher) setWaiting(ctx context.Context, n int) {
	if n == publishBatch {
		if all, err := w.c.store.PublishCount(ctx, w.topic); err == nil {
			n = all
		}
	}
	w.mu.Lock()
	w.state.Waiting = n
	w.mu.Unlock()
}

// attempt publishes entries, in order, and records what became of each; it
// reports whether all went and, if not, when to try again.
func (w *publisher) attempt(ctx context.Context, entries []store.PublishEntry) (bool, time.Time) {
	msgs := make([]kafka.Message, len(entries))
	for i, e := range entries {
		msgs[i] = kafka.Message{Value: e.Raw, Test: e.Test, ID: e.RecordID}
	}
	actx, cancel := context.WithTimeout(ctx, w.timeout)
	errs := w.pub.PublishAll(actx, msgs)
	cancel()
	var done, refused, failed []int64
	var firstErr error
	for i, err := range errs {
		switch {
		case err == nil:
			done = append(done, entries[i].ID)
		case kafka.Permanent(err):
			refused = append(refused, entries[i].ID)
			w.log.Error("Kafka topic "+w.topic+" refused "+entries[i].IVORN+"; it will not be published", "err", err)
		default:
			failed = append(failed, entries[i].ID)
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	// What the cluster acknowledged is marked even while the core stops:
	// a row left queued is published again at the next start.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer scancel()
	now := time.Now()
	if err := errors.Join(w.c.store.PublishDone(sctx, done, now), w.c.store.PublishRefuse(sctx, refused, "refused by the cluster", now)); err != nil {
		w.log.Error("cannot record what was published to Kafka; those events may be published again", "err", err)
	}
	w.mu.Lock()
	w.state.Published += uint64(len(done))
	w.state.Waiting = max(0, w.state.Waiting-len(done)-len(refused))
	wasFailing := w.state.Failing
	w.mu.Unlock()
	if len(failed) == 0 {
		if wasFailing {
			w.log.Info(fmt.Sprintf("Publishing to Kafka topic %s again: %d events published", w.topic, len(done)))
			w.setFailing(false, "", time.Time{})
		}
		return true, time.Time{}
	}
	if ctx.Err() != nil { // stopping: not a failure of the cluster's
		return false, time.Time{}
	}
	n := entries[0].Attempts + 1
	if entries[0].ID != failed[0] {
		n = 1 // the head went: a new failure
	}
	d := w.retry.Backoff(n)
	next := time.Now().Add(d)
	reason := kafka.Explain(firstErr)
	var pe *kafka.PublishError
	if errors.As(firstErr, &pe) {
		reason = kafka.Explain(pe.Err)
	}
	if err := w.c.store.PublishRetry(sctx, failed, reason, next); err != nil {
		w.log.Error("cannot record a failed attempt to publish to Kafka", "err", err)
	}
	w.log.Warn(fmt.Sprintf("Could not publish to Kafka topic %s (%d events waiting, attempt %d); trying again in %s", w.topic, len(failed), n, d.Round(time.Millisecond)), "err", reason)
	w.setFailing(true, reason, next)
	return false, next
}

func (w *publisher) setFailing(failing bool, reason string, next time.Time) {
	w.mu.Lock()
	changed := w.state.Failing != failing
	w.state.Failing, w.state.LastError, w.state.NextAttempt = failing, reason, next
	w.mu.Unlock()
	if changed {
		w.c.changed(ChangeBroker)
	}
}
