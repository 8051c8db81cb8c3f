package outbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
)

// dest is the live state of one destination; its fields are guarded by Worker.mu.
type dest struct {
	name    string
	wake    chan struct{}
	running bool // a goroutine delivers its queue
	force   bool // try the next entry now, whatever the backoff
	sending bool

	online       bool      // false while the last attempt could not reach it
	lastError    string    // the last failure or refusal
	blockedUntil time.Time // no attempt before this (backoff after a failure)
	lastFailure  time.Time // when an attempt last failed and left the queue waiting
	lastTry      time.Time
}

// DestinationState is what the window shows of one destination.
type DestinationState struct {
	// Name is the destination as queued: "host:port" (or "unix:/path").
	Name string
	// Online is false while the last attempt could not reach the destination.
	Online bool
	// LastError is the last failure or refusal, "" when there was none.
	LastError string
	// NextAttempt is when the next entry will be tried (zero: nothing waits).
	NextAttempt time.Time
	// Queued counts entries waiting (queued or being sent).
	Queued int
	// Sending is true while an attempt is in progress.
	Sending bool
}

// Destination canonicalises a destination as entries are queued for it:
// "host" becomes "host:8098"; a Kafka topic, "kafka:SOURCE/TOPIC"
// (store.KafkaDestination), stays as it is; an unparsable one is an error.
func Destination(s string) (string, error) {
	s = strings.TrimSpace(s)
	if _, _, ok, err := store.ParseKafkaDestination(s); ok {
		return s, err
	}
	ep, err := endpoint.Client(strings.TrimSpace(s), DefaultPort)
	if err != nil {
		return "", err
	}
	if ep.Network == "tcp" {
		host, _, _ := net.SplitHostPort(ep.Address)
		if strings.Contains(host, ":") && net.ParseIP(host) == nil {
			return "", fmt.Errorf("%q is not HOST[:PORT]", s)
		}
	}
	return ep.String(), nil
}

// endpointOf is the endpoint to dial for a canonical destination.
func endpointOf(name string) (endpoint.Endpoint, error) {
	return endpoint.Client(name, DefaultPort)
}

// run delivers destination d's queue until it is empty or the worker stops.
func (w *Worker) run(d *dest) {
	defer w.wg.Done()
	var ep endpoint.Endpoint
	var kd *kafkaDest
	source, topic, isKafka, epErr := store.ParseKafkaDestination(d.name)
	if isKafka {
		kd = &kafkaDest{source: source, topic: topic}
		defer kd.close()
	} else {
		ep, epErr = endpointOf(d.name)
	}
	var from int64 // no queued entry of d below this id, unless woken since
	for {
		select {
		case <-w.stop:
			w.exit(d)
			return
		default:
		}
		select {
		case <-d.wake:
			from = 0 // entries may have been re-queued: search from the start
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		e, err := w.nextQueued(ctx, d.name, from)
		cancel()
		if err != nil {
			w.log().Warn("could not read the outbox", "component", "outbox", "destination", d.name, "err", err)
			w.sleep(d, time.Now().Add(time.Second))
			from = 0
			continue
		}
		if e == nil {
			if from > 0 {
				from = 0 // make sure before leaving
				continue
			}
			if w.exitIfIdle(d) {
				return
			}
			continue
		}
		from = e.ID
		if due, ok := w.due(d, e); !ok {
			if w.sleep(d, due) {
				from = 0
			}
			continue
		}
		var res Result
		if epErr != nil {
			res = Result{Outcome: BadDestination, Reason: "cannot send to " + d.name + ": " + epErr.Error()}
		}
		if !w.attempt(d, e, ep, kd, res) {
			w.exit(d)
			return
		}
	}
}

// due reports whether e may be tried now, and if not when: at its next
// attempt or the destination's backoff, whichever is later, unless a kick or
// a flush asks for an attempt now.
func (w *Worker) due(d *dest, e *store.OutboxEntry) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if d.force || (!w.flushSince.IsZero() && d.lastTry.Before(w.flushSince)) {
		d.force = false
		return time.Time{}, true
	}
	next := e.NextAttempt
	if d.blockedUntil.After(next) {
		next = d.blockedUntil
	}
	if next.After(time.Now()) {
		d.blockedUntil = next
		return next, false
	}
	return next, true
}

// sleep waits until t, a wake-up, or Stop; it reports a wake-up.
func (w *Worker) sleep(d *dest, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-w.stop:
	case <-d.wake:
		return true
	case <-timer.C:
	}
	return false
}

// exitIfIdle ends d's goroutine unless it was woken meanwhile.
func (w *Worker) exitIfIdle(d *dest) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-d.wake:
		return false
	default:
	}
	d.running = false
	return true
}

func (w *Worker) exit(d *dest) {
	w.mu.Lock()
	d.running = false
	d.sending = false
	w.mu.Unlock()
}

// attempt sends e once, to ep or, when kd is not nil, to a Kafka topic,
// and records the outcome; a non-zero pre is the outcome without sending.
// It returns false when the worker is stopping.
func (w *Worker) attempt(d *dest, e *store.OutboxEntry, ep endpoint.Endpoint, kd *kafkaDest, pre Result) bool {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := w.st.MarkSending(ctx, e.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return true // no longer queued: cancelled or deleted meanwhile
		}
		w.log().Warn("could not mark an entry as sending", "component", "outbox", "id", e.ID, "err", err)
		w.sleep(d, time.Now().Add(time.Second))
		return true
	}
	w.mu.Lock()
	d.sending = true
	w.mu.Unlock()
	w.changed(Change{ID: e.ID, State: StateSending})
	w.notify()

	res := pre
	if res.Outcome == 0 {
		var err error
		if kd != nil {
			res, err = w.sendKafka(kd, e)
		} else {
			_, err = sender.Send(w.ctx, ep, e.Raw, e.IVORN, w.opt.Timeout)
			res = ResultOf(err)
		}
		if err != nil && w.ctx.Err() != nil {
			// Stop aborted the attempt: the entry goes back, due now.
			w.st.MarkRetry(ctx, e.ID, time.Now(), reasonInterrupted)
			w.exit(d)
			w.changed(Change{ID: e.ID, State: StateQueued, Reason: reasonInterrupted})
			w.notify()
			return false
		}
	}
	now := time.Now()
	tr := Next(Attempt{
		Attempts:       e.Attempts + 1,
		Created:        e.Created,
		Now:            now,
		EarlierAttempt: e.Attempts > 0 && !nakIsDuplicate(e.LastError),
	}, res, w.opt.Policy)
	for try := 1; ; try++ {
		err := w.record(ctx, e, tr)
		if err == nil {
			w.count(tr)
			w.changed(Change{ID: e.ID, State: tr.State, Reason: tr.Reason})
			break
		}
		if try == 3 || ctx.Err() != nil {
			// The entry stays in "sending" until the next start requeues it.
			w.log().Error("could not record an attempt", "component", "outbox", "id", e.ID, "err", err)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	w.mu.Lock()
	d.sending = false
	d.lastTry = now
	switch {
	case tr.Transient:
		d.online = false
		d.lastFailure = now
		d.blockedUntil = tr.NextAttempt
		d.lastError = tr.Reason
	case res.Outcome == Acked || res.Outcome == Naked:
		d.online = true
		d.blockedUntil = time.Time{}
		if tr.State == StateRefused || tr.State == StateQueued {
			d.lastError = tr.Reason
		}
		if tr.State == StateQueued { // a temporary nak: the broker is up but cannot take it yet
			d.lastFailure = now
			d.blockedUntil = tr.NextAttempt
		}
	default:
		d.lastError = tr.Reason
	}
	w.mu.Unlock()
	w.logOutcome(d, e, res, tr)
	w.notify()
	return true
}

// record writes the transition to the store.
func (w *Worker) record(ctx context.Context, e *store.OutboxEntry, tr Transition) error {
	switch tr.State {
	case StateSent:
		return w.st.MarkSent(ctx, e.ID, tr.Reason)
	case StateRefused:
		return w.st.MarkRefused(ctx, e.ID, tr.Reason)
	case StateQueued:
		return w.st.MarkRetry(ctx, e.ID, tr.NextAttempt, tr.Reason)
	}
	return w.st.MarkFailed(ctx, e.ID, tr.Reason)
}

// count adds an outcome to the worker's totals.
func (w *Worker) count(tr Transition) {
	switch tr.State {
	case StateSent:
		w.sent.Add(1)
	case StateRefused:
		w.refused.Add(1)
	case StateFailed:
		w.failed.Add(1)
	}
}

func (w *Worker) logOutcome(d *dest, e *store.OutboxEntry, res Result, tr Transition) {
	attrs := []any{"component", "outbox", "id", e.ID, "ivorn", e.IVORN, "destination", d.name, "attempt", e.Attempts + 1}
	switch tr.State {
	case StateSent:
		w.log().Info(fmt.Sprintf("Sent %s to %s", e.IVORN, d.name), attrs...)
	case StateRefused:
		w.log().Warn(fmt.Sprintf("%s refused %s: %s", d.name, e.IVORN, tr.Reason), attrs...)
	case StateQueued:
		w.log().Info(fmt.Sprintf("Could not deliver %s (%s); next attempt in %s", e.IVORN, tr.Reason, time.Until(tr.NextAttempt).Round(time.Millisecond)), attrs...)
	default:
		w.log().Warn(fmt.Sprintf("Gave up on %s: %s", e.IVORN, tr.Reason), attrs...)
	}
}

// Destinations returns the state of every destination with entries waiting,
// and of those tried since the worker started, by name.
func (w *Worker) Destinations() []DestinationState {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	pending, _ := w.pending(ctx)
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]*DestinationState{}
	for name, d := range w.dests {
		ds := &DestinationState{Name: name, Online: d.online, LastError: d.lastError, Sending: d.sending}
		if d.blockedUntil.After(now) {
			ds.NextAttempt = d.blockedUntil
		}
		out[name] = ds
	}
	for name, n := range pending {
		ds := out[name]
		if ds == nil {
			ds = &DestinationState{Name: name, Online: true}
			out[name] = ds
		}
		ds.Queued = n
	}
	list := make([]DestinationState, 0, len(out))
	for _, ds := range out {
		if ds.Queued == 0 {
			ds.NextAttempt = time.Time{}
		}
		list = append(list, *ds)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}
