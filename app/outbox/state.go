package outbox

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/sender"
)

// Outcome classifies the result of one delivery attempt.
type Outcome int

// Attempt outcomes.
const (
	// Acked: the broker accepted the event.
	Acked Outcome = iota + 1
	// Naked: the broker answered with a nak (see Result.Reason).
	Naked
	// Unreachable: no connection (refused, no route, DNS failure).
	Unreachable
	// TimedOut: no answer in time.
	TimedOut
	// Broken: the connection closed early or the answer was not understood.
	Broken
	// BadDestination: the destination cannot be parsed; nothing can be sent to it.
	BadDestination
)

// String names the outcome for logs.
func (o Outcome) String() string {
	switch o {
	case Acked:
		return "ack"
	case Naked:
		return "nak"
	case Unreachable:
		return "unreachable"
	case TimedOut:
		return "timed out"
	case Broken:
		return "broken"
	case BadDestination:
		return "bad destination"
	}
	return "unknown"
}

// Result is what one attempt to deliver an entry produced.
type Result struct {
	Outcome Outcome
	// Reason is the nak's reason, or a description of the failure.
	Reason string
}

// ResultOf turns what sender.Send returned into a Result.
func ResultOf(err error) Result {
	if err == nil {
		return Result{Outcome: Acked}
	}
	var se *sender.Error
	if !errors.As(err, &se) {
		return Result{Outcome: Broken, Reason: err.Error()}
	}
	switch se.Kind {
	case sender.Refused:
		return Result{Outcome: Naked, Reason: se.Reason}
	case sender.Unreachable:
		return Result{Outcome: Unreachable, Reason: se.Error()}
	case sender.TimedOut:
		return Result{Outcome: TimedOut, Reason: se.Error()}
	}
	return Result{Outcome: Broken, Reason: se.Error()}
}

// Attempt is what the state machine needs to know of an entry after an attempt.
type Attempt struct {
	// Attempts counts delivery attempts made so far, this one included.
	Attempts int
	// Created is when the entry was queued.
	Created time.Time
	// Now is when the attempt ended.
	Now time.Time
	// EarlierAttempt is true when an earlier attempt may have reached the
	// broker: it was interrupted, timed out or broke off after sending, rather
	// than being refused with "previously seen".
	EarlierAttempt bool
}

// Policy is how long and how often a transient failure is retried.
type Policy struct {
	// BackoffBase is the wait after the first failure (default 1 s).
	BackoffBase time.Duration
	// BackoffCap bounds the wait between attempts (default 5 min).
	BackoffCap time.Duration
	// Jitter is the fraction (0..1) by which a wait is shortened at random (default 0.2).
	Jitter float64
	// MaxAttempts gives up after this many attempts (default 1000; negative: no limit).
	MaxAttempts int
	// MaxAge gives up on an entry queued longer ago than this (default 7 days; negative: no limit).
	MaxAge time.Duration
	// Rand returns a number in [0, 1) for the jitter; default math/rand.
	Rand func() float64
}

// Defaults for Policy.
const (
	DefaultBackoffBase = time.Second
	DefaultBackoffCap  = 5 * time.Minute
	DefaultJitter      = 0.2
	DefaultMaxAttempts = 1000
	DefaultMaxAge      = 7 * 24 * time.Hour
)

// withDefaults fills the zero fields of p; negative limits mean "no limit".
func (p Policy) withDefaults() Policy {
	if p.BackoffBase <= 0 {
		p.BackoffBase = DefaultBackoffBase
	}
	if p.BackoffCap <= 0 {
		p.BackoffCap = DefaultBackoffCap
	}
	if p.BackoffCap < p.BackoffBase {
		p.BackoffCap = p.BackoffBase
	}
	if p.Jitter < 0 || p.Jitter > 1 {
		p.Jitter = DefaultJitter
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MaxAge == 0 {
		p.MaxAge = DefaultMaxAge
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// Backoff is the wait after the n-th consecutive failed attempt (n ≥ 1):
// min(cap, base·2^(n-1)), shortened by up to Jitter of itself at random, so
// that it never exceeds the cap and clients that failed together spread out.
func (p Policy) Backoff(n int) time.Duration {
	p = p.withDefaults()
	d := p.BackoffCap
	if n < 1 {
		n = 1
	}
	if n <= 32 {
		if b := p.BackoffBase << (n - 1); b > 0 && b < d {
			d = b
		}
	}
	if p.Jitter > 0 {
		d -= time.Duration(float64(d) * p.Jitter * p.Rand())
	}
	return d
}

// Transition is the new state of an entry after an attempt.
type Transition struct {
	// State is one of StateSent, StateRefused, StateQueued (retry), StateFailed.
	State store.State
	// NextAttempt is set when State is StateQueued.
	NextAttempt time.Time
	// Reason is the nak's reason or the failure, kept as the entry's last reason.
	Reason string
	// Transient is true when the destination could not be reached (it is offline).
	Transient bool
}

// Entry states: the store's.
const (
	StateQueued  = store.StateQueued
	StateSending = store.StateSending
	StateSent    = store.StateSent
	StateRefused = store.StateRefused
	StateFailed  = store.StateFailed
)

// Nak reasons that Next recognises (substrings of Meta/Result, case-insensitive).
const (
	// nakPreviouslySeen is Comet's and Starling's duplicate refusal.
	nakPreviouslySeen = "previously seen by this broker"
	// nakConflict marks a duplicate with other bytes (Starling): a real refusal.
	nakConflict = "different content"
	// nakNotStored is Starling's refusal when its store failed (disk full): temporary.
	nakNotStored = "could not be stored"
)

// NakIsTemporary reports whether a nak's reason says that the broker may
// accept the same event later. Only Starling's "Event could not be stored by
// this broker (…); try again later" is: every other nak — previously seen,
// schema-invalid, bad IVORN, not XML, not a VOEvent, and any reason we do not
// know — is the broker's final word on these bytes.
func NakIsTemporary(reason string) bool {
	return strings.Contains(strings.ToLower(reason), nakNotStored)
}

// nakIsDuplicate reports a plain "previously seen" nak (same bytes).
func nakIsDuplicate(reason string) bool {
	r := strings.ToLower(reason)
	return strings.Contains(r, nakPreviouslySeen) && !strings.Contains(r, nakConflict)
}

// Next is the outbox state machine: given an entry that has just been tried
// (a.Attempts includes this attempt) and the result, it returns its new state.
//
//   - ack → sent.
//   - nak "previously seen by this broker" after an earlier attempt that may
//     have got through (a.EarlierAttempt: one in flight when the process died,
//     or one whose ack was lost) → sent: the broker has these very bytes (a
//     Starling broker says "with different content" otherwise). Without such an
//     earlier attempt the same nak → refused (someone else sent it first).
//   - nak "could not be stored" (the broker's disk is full) → retry.
//   - any other nak (schema-invalid, bad IVORN, not XML, duplicate with other
//     bytes, unknown reasons) → refused, never retried.
//   - unreachable, timed out, broken connection → retry after Backoff,
//     unless the policy's attempt or age limit is reached → failed.
//   - bad destination → failed at once.
func Next(a Attempt, r Result, p Policy) Transition {
	p = p.withDefaults()
	switch r.Outcome {
	case Acked:
		return Transition{State: StateSent}
	case Naked:
		switch {
		case nakIsDuplicate(r.Reason) && a.EarlierAttempt:
			return Transition{State: StateSent, Reason: "delivered: an earlier attempt got through (the broker answered: " + r.Reason + ")"}
		case !NakIsTemporary(r.Reason):
			return Transition{State: StateRefused, Reason: r.Reason}
		}
		return retry(a, r.Reason, p, false)
	case Unreachable, TimedOut, Broken:
		return retry(a, r.Reason, p, true)
	case BadDestination:
		return Transition{State: StateFailed, Reason: r.Reason}
	}
	return Transition{State: StateFailed, Reason: fmt.Sprintf("unknown attempt outcome %d: %s", r.Outcome, r.Reason)}
}

func retry(a Attempt, reason string, p Policy, offline bool) Transition {
	if p.MaxAttempts > 0 && a.Attempts >= p.MaxAttempts {
		return Transition{State: StateFailed, Reason: fmt.Sprintf("gave up after %d attempts: %s", a.Attempts, reason), Transient: offline}
	}
	if p.MaxAge > 0 && !a.Created.IsZero() && a.Now.Sub(a.Created) >= p.MaxAge {
		return Transition{State: StateFailed, Reason: fmt.Sprintf("gave up after %s in the outbox: %s", roundAge(p.MaxAge), reason), Transient: offline}
	}
	return Transition{State: StateQueued, NextAttempt: a.Now.Add(p.Backoff(a.Attempts)), Reason: reason, Transient: offline}
}

func roundAge(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	return d.String()
}
