package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/channel"
)

// The channels' delivery: a dispatcher that turns each newly archived
// alert matching a rule with channels into delivery rows (with its cursor,
// in one transaction), and a worker that sends the rows that are due.

// Backoff bounds of a delivery's retries (doubling, with jitter).
var (
	channelBackoffMin = 2 * time.Second
	channelBackoffMax = 10 * time.Minute
)

// channelIdle is how long the worker sleeps with nothing due, so that rows
// another process made due (a test from the command line) are seen.
const channelIdle = 30 * time.Second

// channelWorker dispatches and delivers the channels' notifications.
type channelWorker struct {
	c     *Core
	judge ruleJudge
	kick  chan struct{} // the worker: rows may be due
	look  chan struct{} // the dispatcher: alerts were archived

	// mu makes picking rows to send and collapsing into rows exclusive:
	// a row being sent (busy) is never collapsed into.
	mu   sync.Mutex
	busy map[int64]bool

	hmu     sync.Mutex
	blocked map[string]time.Time // a channel waits until then (backoff, rate)
	buckets map[string]*bucket
	errs    map[string]channelHealth
	senders map[string]cachedSender

	cancel func()
}

// channelHealth is a channel's last error and failures in a row.
type channelHealth struct {
	err      string
	failures int
}

// cachedSender is a channel's sender, built for its config and secret.
type cachedSender struct {
	key string
	s   channel.Sender
}

// startChannels starts the channels' dispatcher and worker.
func (c *Core) startChannels() {
	w := &channelWorker{
		c: c, judge: ruleJudge{c: c, now: time.Now},
		kick: make(chan struct{}, 1), look: make(chan struct{}, 1),
		busy: map[int64]bool{}, blocked: map[string]time.Time{}, buckets: map[string]*bucket{},
		errs: map[string]channelHealth{}, senders: map[string]cachedSender{},
	}
	c.chw = w
	w.cancel = c.Watch(func(ch Change) {
		if ch.Kind&ChangeArchive != 0 && ch.Alert.ID != 0 {
			select {
			case w.look <- struct{}{}:
			default:
			}
		}
	})
	w.look <- struct{}{}
	c.wg.Add(2)
	go w.dispatchLoop()
	go w.sendLoop()
}

// Kick makes the worker look for due rows now; it never blocks.
func (w *channelWorker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// unblock lets a channel's rows go now (after an edit or a test).
func (w *channelWorker) unblock(name string) {
	w.hmu.Lock()
	delete(w.blocked, name)
	delete(w.senders, name)
	delete(w.errs, name)
	w.hmu.Unlock()
}

// health is a channel's last error and failures in a row, as this worker saw them.
func (w *channelWorker) health(name string) (string, int, bool) {
	w.hmu.Lock()
	defer w.hmu.Unlock()
	h, ok := w.errs[name]
	return h.err, h.failures, ok
}

func (w *channelWorker) dispatchLoop() {
	defer w.c.wg.Done()
	defer w.cancel()
	for {
		select {
		case <-w.c.ctx.Done():
			return
		case <-w.look:
		}
		if err := w.dispatch(w.c.ctx); err != nil && w.c.ctx.Err() == nil {
			w.c.log.Warn("notifications for the channels not queued: "+err.Error(), "component", "channels")
			// Try again a little later, not in a tight loop.
			select {
			case <-w.c.ctx.Done():
				return
			case <-time.After(5 * time.Second):
			}
			select {
			case w.look <- struct{}{}:
			default:
			}
		}
	}
}

// channelBatch is how many archived alerts one dispatch transaction covers.
const channelBatch = 200

// dispatch decides on every alert archived after the cursor, queueing the
// deliveries and moving the cursor in one transaction per batch.
func (w *channelWorker) dispatch(ctx context.Context) error {
	c := w.c
	cur, ok, err := c.store.GetSetting(ctx, store.ChannelCursorKey)
	if err != nil {
		return err
	}
	cursor, _ := strconv.ParseInt(cur, 10, 64)
	if !ok {
		// A data directory's first start: the alerts archived before are
		// not announced.
		last, err := c.store.LastEventID(ctx)
		if err != nil {
			return err
		}
		_, _, err = c.store.EnqueueDeliveries(ctx, last, nil, 0, time.Now(), nil)
		return err
	}
	for {
		rows, err := c.store.EventsAfter(ctx, cursor, channelBatch)
		if err != nil || len(rows) == 0 {
			return err
		}
		items, err := w.decide(ctx, rows)
		if err != nil {
			return err
		}
		collapse := c.Channels().Collapse()
		w.mu.Lock()
		ins, col, err := c.store.EnqueueDeliveries(ctx, rows[len(rows)-1].ID, items, collapse, time.Now(), func(id int64) bool { return w.busy[id] })
		w.mu.Unlock()
		if err != nil {
			return err
		}
		cursor = rows[len(rows)-1].ID
		if ins+col > 0 {
			c.log.Info(fmt.Sprintf("Queued %d channel messages (%d updates collapsed)", ins, col), "component", "channels")
			w.Kick()
			c.changed(ChangeChannels)
		}
	}
}

// decide returns the deliveries of the archived alerts rows: per channel,
// the first rule naming it that the alert matches (and always the
// retraction of a trigger the channel was told of), with the trigger-state
// logic of the notifier (ruleJudge.decideFor) over what the channel was
// told of the trigger before, live updates included.
func (w *channelWorker) decide(ctx context.Context, rows []EventRow) ([]store.Delivery, error) {
	c := w.c
	cfg, err := c.Settings().Rules()
	if err != nil {
		// Not past these alerts until the rules are read: none is lost.
		return nil, fmt.Errorf("notification rules not read: %w", err)
	}
	chans, err := c.Channels().List()
	if err != nil {
		return nil, err
	}
	perChannel := map[string][]NotifyRule{}
	var names []string
	for _, cc := range chans {
		for _, r := range cfg.Rules {
			if slices.Contains(r.Channels, cc.Name) {
				perChannel[cc.Name] = append(perChannel[cc.Name], r)
			}
		}
		if len(perChannel[cc.Name]) > 0 {
			names = append(names, cc.Name)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	said := map[[2]string]string{} // what this batch queued, before it is written
	var out []store.Delivery
	for _, r := range rows {
		var tr *TriggerState
		if r.Trigger != "" {
			t, err := c.store.Trigger(ctx, r.Trigger)
			if err != nil {
				return nil, fmt.Errorf("trigger %s not read: %w", r.Trigger, err)
			}
			tr = &t
		}
		for _, name := range names {
			before := ""
			if tr != nil {
				k := [2]string{name, r.Trigger}
				var ok bool
				if before, ok = said[k]; !ok {
					if before, err = c.store.ChannelSaid(ctx, name, r.Trigger); err != nil {
						return nil, err
					}
				}
			}
			x, ok := w.judge.decideFor(ctx, perChannel[name], r, tr, before, true)
			if !ok && x.Retracted && before == NotifiedLive {
				// A channel told of a trigger is told of its retraction,
				// whether or not a rule for retractions names it.
				x.Rule, ok = NotifyRule{Name: RetractionRuleName, Retraction: true}, true
			}
			if !ok {
				continue
			}
			x.Observability = w.judge.observability(ctx, x.Rule, r)
			x.Title, x.Body = notificationText(x)
			if tr != nil {
				s := NotifiedLive
				if x.Retracted {
					s = NotifiedRetracted
				}
				said[[2]string{name, r.Trigger}] = s
			}
			msg := channel.Message{Critical: x.Critical, Rule: x.Rule.Name, Trigger: r.Trigger, IVORN: r.IVORN, Time: r.Received}
			if sm, err := json.Marshal(NewEventJSON(r)); err == nil {
				msg.Alert = sm
			}
			b, err := json.Marshal(msg)
			if err != nil {
				return nil, err
			}
			out = append(out, store.Delivery{Channel: name, Key: deliveryKey(name, r.IVORN, x.Retracted), Trigger: r.Trigger,
				Retraction: x.Retracted, EventID: r.ID, Rule: x.Rule.Name, Title: x.Title, Body: x.Body, Message: b})
			c.log.Info("Alert "+r.IVORN+" matches rule "+strconv.Quote(x.Rule.Name)+" for channel "+strconv.Quote(name),
				"component", "channels", "retracted", x.Retracted)
		}
	}
	return out, nil
}

func (w *channelWorker) sendLoop() {
	defer w.c.wg.Done()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-w.c.ctx.Done():
			return
		case <-w.kick:
		case <-t.C:
		}
		next := w.sendDue(w.c.ctx)
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(time.Until(next))
	}
}

// sendDue sends the rows due now, each channel's in order, the channels in
// parallel, and returns when to look again.
func (w *channelWorker) sendDue(ctx context.Context) time.Time {
	c := w.c
	now := time.Now()
	next := now.Add(channelIdle)
	w.mu.Lock()
	rows, err := c.store.DueDeliveries(ctx, now, 500)
	perChannel := map[string][]store.Delivery{}
	var order []string
	w.hmu.Lock()
	for _, d := range rows {
		if until, ok := w.blocked[d.Channel]; ok && until.After(now) {
			continue
		}
		if _, ok := perChannel[d.Channel]; !ok {
			order = append(order, d.Channel)
		}
		perChannel[d.Channel] = append(perChannel[d.Channel], d)
		w.busy[d.ID] = true
	}
	w.hmu.Unlock()
	w.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			c.log.Warn("channel deliveries not read: "+err.Error(), "component", "channels")
		}
		return now.Add(5 * time.Second)
	}
	var wg sync.WaitGroup
	for _, name := range order {
		wg.Add(1)
		go func(ds []store.Delivery) {
			defer wg.Done()
			w.sendChannel(ctx, ds)
		}(perChannel[name])
	}
	wg.Wait()
	w.mu.Lock()
	for _, ds := range perChannel {
		for _, d := range ds {
			delete(w.busy, d.ID)
		}
	}
	w.mu.Unlock()
	if t, ok, err := c.store.NextDelivery(ctx); err == nil && ok && t.Before(next) {
		next = t
	}
	w.hmu.Lock()
	for _, until := range w.blocked {
		if until.After(time.Now()) && until.Before(next) {
			next = until
		}
	}
	w.hmu.Unlock()
	if n := time.Now().Add(10 * time.Millisecond); next.Before(n) {
		next = n // never a tight loop
	}
	return next
}

// sendChannel sends one channel's due rows in order; a row that must wait
// (a retry, the rate limit) holds the channel's later rows back.
func (w *channelWorker) sendChannel(ctx context.Context, ds []store.Delivery) {
	c := w.c
	name := ds[0].Channel
	cfg, ok, err := c.Channels().channel(name)
	if err != nil {
		return
	}
	for _, d := range ds {
		if ctx.Err() != nil {
			return
		}
		if !ok {
			w.fail(ctx, d, "the channel no longer exists")
			continue
		}
		s, err := w.sender(cfg)
		if err != nil {
			w.fail(ctx, d, err.Error())
			continue
		}
		if wait := w.take(name, cfg.Rate()); wait > 0 {
			w.block(name, time.Now().Add(wait))
			return
		}
		m := deliveryMessage(d)
		if err := c.store.DeliveryStarted(ctx, d.ID); err != nil {
			if ctx.Err() == nil {
				c.log.Warn("channel delivery's attempt not recorded: "+err.Error(), "component", "channels")
			}
			return
		}
		sctx, cancel := context.WithTimeout(ctx, 45*time.Second)
		err = s.Send(sctx, m)
		cancel()
		if ctx.Err() != nil {
			return // stopping: the row stays pending, sent again (same key) next time
		}
		if err == nil {
			if err := c.store.DeliverySent(ctx, d.ID, time.Now()); err != nil {
				c.log.Warn("channel delivery not marked sent: "+err.Error(), "component", "channels")
			}
			w.hmu.Lock()
			delete(w.errs, name)
			w.hmu.Unlock()
			c.log.Info("Message sent to channel "+strconv.Quote(name), "component", "channels", "key", d.Key,
				"trigger", d.Trigger, "updates", d.Updates, "latency_ms", time.Since(d.Created).Milliseconds())
			c.changed(ChangeChannels)
			continue
		}
		var ce *channel.Error
		if errors.As(err, &ce) && ce.Permanent {
			w.fail(ctx, d, err.Error())
			continue
		}
		delay := channelRetry.Backoff(d.Attempts + 1)
		if ce != nil && ce.RetryAfter > delay {
			delay = min(ce.RetryAfter, time.Hour)
		}
		at := time.Now().Add(delay)
		if err := c.store.DeliveryRetry(ctx, d.ID, at, err.Error()); err != nil {
			c.log.Warn("channel delivery's retry not recorded: "+err.Error(), "component", "channels")
		}
		w.note(name, err.Error())
		c.log.Warn(fmt.Sprintf("Message to channel %q not sent (attempt %d), retrying in %s: %v", name, d.Attempts+1, delay.Round(time.Second), err), "component", "channels")
		w.block(name, at)
		c.changed(ChangeChannels)
		return
	}
}

// fail marks a row failed for reason.
func (w *channelWorker) fail(ctx context.Context, d store.Delivery, reason string) {
	c := w.c
	if err := c.store.DeliveryFailed(ctx, d.ID, reason); err != nil {
		c.log.Warn("channel delivery's failure not recorded: "+err.Error(), "component", "channels")
	}
	w.note(d.Channel, reason)
	c.log.Warn(fmt.Sprintf("Message to channel %q failed for good: %s (edit or test the channel to try again)", d.Channel, reason), "component", "channels")
	c.changed(ChangeChannels)
}

// note records a channel's failed attempt.
func (w *channelWorker) note(name, reason string) {
	w.hmu.Lock()
	h := w.errs[name]
	w.errs[name] = channelHealth{err: reason, failures: h.failures + 1}
	w.hmu.Unlock()
}

// block holds a channel's rows back until t.
func (w *channelWorker) block(name string, t time.Time) {
	w.hmu.Lock()
	w.blocked[name] = t
	w.hmu.Unlock()
}

// sender is the channel's sender, built again when its config or secret changed.
func (w *channelWorker) sender(cfg channel.Config) (channel.Sender, error) {
	secret, err := w.c.readSecretFile(secretName(cfg.Name))
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(cfg)
	key := string(b) + "\x00" + secret
	w.hmu.Lock()
	cs, ok := w.senders[cfg.Name]
	w.hmu.Unlock()
	if ok && cs.key == key {
		return cs.s, nil
	}
	s, err := channel.New(cfg, secret)
	if err != nil {
		return nil, err
	}
	w.hmu.Lock()
	w.senders[cfg.Name] = cachedSender{key: key, s: s}
	w.hmu.Unlock()
	return s, nil
}

// take takes a token from the channel's bucket (rate: messages per
// minute; a burst of a tenth of a minute's worth, at least one), or says
// how long until one is there.
func (w *channelWorker) take(name string, rate float64) time.Duration {
	w.hmu.Lock()
	defer w.hmu.Unlock()
	b := w.buckets[name]
	burst := math.Max(1, math.Floor(rate/6))
	now := time.Now()
	if b == nil || b.rate != rate {
		b = &bucket{rate: rate, tokens: burst, at: now}
		w.buckets[name] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.at).Seconds()*rate/60)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / (rate / 60) * float64(time.Second))
}

// bucket is a channel's token bucket.
type bucket struct {
	rate   float64 // per minute
	tokens float64
	at     time.Time
}

// channelRetry is the wait before attempt n+1 after n failed ones: 2 s
// doubling up to 10 min, each between half and all of that (jitter).
var channelRetry = outbox.Policy{BackoffBase: channelBackoffMin, BackoffCap: channelBackoffMax, Jitter: 0.5}

// deliveryMessage is the message a row sends: a row that collapsed several
// updates of its trigger says how many, and the latest.
func deliveryMessage(d store.Delivery) channel.Message {
	var m channel.Message
	json.Unmarshal(d.Message, &m)
	m.Key, m.Title, m.Body = d.Key, d.Title, d.Body
	if d.Updates > 1 {
		m.Body = fmt.Sprintf("%s: %d updates, latest %s\n%s", d.Trigger, d.Updates, d.Title, d.Body)
	}
	return m
}
