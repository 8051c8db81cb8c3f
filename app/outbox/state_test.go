package outbox

import (
	"errors"
	"github.com/starling-broker/starling/app/store"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/sender"
)

// TestNext is the outbox state machine, one row per kind of answer.
func TestNext(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	p := Policy{BackoffBase: time.Second, BackoffCap: time.Minute, Jitter: 0, MaxAttempts: 10, MaxAge: 24 * time.Hour}
	first := Attempt{Attempts: 1, Created: t0, Now: t0}
	third := Attempt{Attempts: 3, Created: t0, Now: t0.Add(time.Minute), EarlierAttempt: true}
	retried := Attempt{Attempts: 2, Created: t0, Now: t0} // after a "previously seen" refusal
	nak := func(reason string) Result { return Result{Outcome: Naked, Reason: reason} }
	cases := []struct {
		name  string
		a     Attempt
		r     Result
		state store.State
		next  time.Time // zero: no next attempt
	}{
		{"ack", first, Result{Outcome: Acked}, StateSent, time.Time{}},
		{"ack after retries", third, Result{Outcome: Acked}, StateSent, time.Time{}},
		{"nak previously seen, first attempt", first, nak("Event rejected: Previously seen by this broker"), StateRefused, time.Time{}},
		{"nak previously seen, after an attempt in flight", third, nak("Event rejected: Previously seen by this broker"), StateSent, time.Time{}},
		{"nak previously seen, Comet's wording", Attempt{Attempts: 2, Created: t0, Now: t0, EarlierAttempt: true}, nak("Previously seen by this broker"), StateSent, time.Time{}},
		{"nak previously seen, retried refusal", retried, nak("Event rejected: Previously seen by this broker"), StateRefused, time.Time{}},
		{"nak previously seen with other bytes", third, nak("Event rejected: Previously seen by this broker with different content (same IVORN, other bytes)"), StateRefused, time.Time{}},
		{"nak schema-invalid", first, nak("Event rejected: Schema validation failed: line 3: element Bogus not expected"), StateRefused, time.Time{}},
		{"nak bad IVORN", first, nak("Event rejected: Invalid IVORN \"foo\""), StateRefused, time.Time{}},
		{"nak missing IVORN", first, nak("Event rejected: Missing IVORN"), StateRefused, time.Time{}},
		{"nak not XML", first, nak("Event rejected: not well-formed XML: line 1"), StateRefused, time.Time{}},
		{"nak not a VOEvent", first, nak("Event rejected: Not a VOEvent packet: root element is foo"), StateRefused, time.Time{}},
		{"nak DTD", first, nak("Event rejected: DTD or entity declarations are not accepted"), StateRefused, time.Time{}},
		{"nak unknown reason", first, nak("computer says no"), StateRefused, time.Time{}},
		{"nak without reason", first, nak("no reason given"), StateRefused, time.Time{}},
		{"nak could not be stored (disk full)", first, nak("Event rejected: Event could not be stored by this broker (disk full); try again later"), StateQueued, t0.Add(time.Second)},
		{"connection refused", first, Result{Outcome: Unreachable, Reason: "connection refused"}, StateQueued, t0.Add(time.Second)},
		{"DNS failure", first, Result{Outcome: Unreachable, Reason: "host name not found: nowhere.invalid"}, StateQueued, t0.Add(time.Second)},
		{"timeout, third attempt", third, Result{Outcome: TimedOut, Reason: "timed out"}, StateQueued, t0.Add(time.Minute + 4*time.Second)},
		{"unexpected close", first, Result{Outcome: Broken, Reason: "closed"}, StateQueued, t0.Add(time.Second)},
		{"backoff capped", Attempt{Attempts: 9, Created: t0, Now: t0}, Result{Outcome: Unreachable}, StateQueued, t0.Add(time.Minute)},
		{"attempt limit", Attempt{Attempts: 10, Created: t0, Now: t0}, Result{Outcome: Unreachable}, StateFailed, time.Time{}},
		{"age limit", Attempt{Attempts: 2, Created: t0, Now: t0.Add(25 * time.Hour)}, Result{Outcome: TimedOut}, StateFailed, time.Time{}},
		{"age limit on a temporary nak", Attempt{Attempts: 2, Created: t0, Now: t0.Add(25 * time.Hour)}, nak("could not be stored"), StateFailed, time.Time{}},
		{"bad destination", first, Result{Outcome: BadDestination, Reason: "no host"}, StateFailed, time.Time{}},
		{"unknown outcome", first, Result{Outcome: 99}, StateFailed, time.Time{}},
	}
	for _, c := range cases {
		tr := Next(c.a, c.r, p)
		if tr.State != c.state || !tr.NextAttempt.Equal(c.next) {
			t.Errorf("%s: got %s next %v, want %s next %v", c.name, tr.State, tr.NextAttempt, c.state, c.next)
		}
		if c.state != StateSent && c.r.Reason != "" && tr.Reason == "" {
			t.Errorf("%s: no reason kept", c.name)
		}
	}
}

// TestNoLimits checks that negative limits never give up.
func TestNoLimits(t *testing.T) {
	t0 := time.Now()
	p := Policy{MaxAttempts: -1, MaxAge: -1, Jitter: 0}
	tr := Next(Attempt{Attempts: 1 << 20, Created: t0.Add(-1000 * time.Hour), Now: t0}, Result{Outcome: Unreachable}, p)
	if tr.State != StateQueued || !tr.NextAttempt.Equal(t0.Add(DefaultBackoffCap)) {
		t.Fatalf("got %+v", tr)
	}
}

// TestBackoff checks the exponential growth, the cap and the jitter's range.
func TestBackoff(t *testing.T) {
	p := Policy{BackoffBase: 100 * time.Millisecond, BackoffCap: 2 * time.Second, Jitter: 0}
	want := []time.Duration{100, 200, 400, 800, 1600, 2000, 2000}
	for i, w := range want {
		if got := p.Backoff(i + 1); got != w*time.Millisecond {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	if got := p.Backoff(1000); got != 2*time.Second {
		t.Errorf("Backoff(1000) = %v (overflow?)", got)
	}
	p.Jitter = 0.5
	p.Rand = func() float64 { return 0.999 }
	if got := p.Backoff(1); got < 50*time.Millisecond || got >= 100*time.Millisecond {
		t.Errorf("jittered Backoff(1) = %v, want in [50ms, 100ms)", got)
	}
	p.Rand = nil
	for range 100 {
		if got := p.Backoff(20); got > 2*time.Second || got < time.Second {
			t.Fatalf("jittered capped Backoff = %v", got)
		}
	}
}

// TestResultOf maps the sender's errors onto outcomes.
func TestResultOf(t *testing.T) {
	cases := []struct {
		err  error
		want Outcome
	}{
		{nil, Acked},
		{&sender.Error{Kind: sender.Refused, Reason: "Event rejected: x"}, Naked},
		{&sender.Error{Kind: sender.Unreachable}, Unreachable},
		{&sender.Error{Kind: sender.TimedOut}, TimedOut},
		{&sender.Error{Kind: sender.Broken}, Broken},
		{errors.New("odd"), Broken},
	}
	for _, c := range cases {
		if got := ResultOf(c.err); got.Outcome != c.want {
			t.Errorf("ResultOf(%v) = %v, want %v", c.err, got.Outcome, c.want)
		}
	}
	if r := ResultOf(&sender.Error{Kind: sender.Refused, Reason: "Event rejected: x"}); r.Reason != "Event rejected: x" {
		t.Errorf("nak reason %q", r.Reason)
	}
}
