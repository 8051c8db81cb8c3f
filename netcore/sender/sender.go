// Package sender submits one event to a VTP receiver and waits for its answer,
// as comet-sendvo does.
package sender

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/vtp"
)

// DefaultTimeout bounds a whole submission: connect, send, and wait for the answer.
const DefaultTimeout = 30 * time.Second

// Kind classifies why a submission failed, so that callers can decide whether
// to retry and which exit status to give.
type Kind int

// Failure kinds.
const (
	// Refused: the receiver answered with a nak.
	Refused Kind = iota + 1
	// Unreachable: the connection could not be made (refused, no route, DNS).
	Unreachable
	// TimedOut: no answer within the timeout.
	TimedOut
	// Broken: the connection closed early or the answer was not understood.
	Broken
)

// Error is a failed submission.
type Error struct {
	Kind   Kind
	Target string
	// Reason is the nak's Meta/Result for Refused, else a description.
	Reason string
	Err    error
}

func (e *Error) Error() string {
	switch e.Kind {
	case Refused:
		return fmt.Sprintf("%s refused the event: %s", e.Target, e.Reason)
	case Unreachable:
		return fmt.Sprintf("could not connect to %s: %s", e.Target, e.Reason)
	case TimedOut:
		return fmt.Sprintf("no answer from %s: %s", e.Target, e.Reason)
	}
	return fmt.Sprintf("submission to %s failed: %s", e.Target, e.Reason)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether trying again cannot help (a nak that will not change).
func (e *Error) Permanent() bool { return e.Kind == Refused }

// Reply is an answer from the receiver.
type Reply struct {
	*vtp.Message
	Raw []byte
}

// Send connects to target, sends raw as one frame and waits for the ack. It
// returns the ack, or an *Error (a nak is an *Error of kind Refused, with the
// reply attached via Reply). ivorn is used to check that the answer is ours.
func Send(ctx context.Context, target endpoint.Endpoint, raw []byte, ivorn string, timeout time.Duration) (*Reply, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fail := func(k Kind, reason string, err error) error {
		return &Error{Kind: k, Target: target.String(), Reason: reason, Err: err}
	}
	// One event per connection: TCP keep-alive probes would never fire, and
	// turning them on costs system calls.
	d := net.Dialer{KeepAlive: -1}
	c, err := d.DialContext(ctx, target.Network, target.Address)
	if err != nil {
		return nil, classifyDial(err, fail)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if err := vtp.WriteFrame(c, raw); err != nil {
		return nil, classifyIO(err, "while sending", fail)
	}
	for {
		payload, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
		if err != nil {
			return nil, classifyIO(err, "while waiting for an answer", fail)
		}
		m, err := vtp.Parse(payload)
		if err != nil {
			return nil, fail(Broken, "the answer is not a Transport packet: "+err.Error(), err)
		}
		if m.Role != vtp.RoleAck && m.Role != vtp.RoleNak {
			continue // Comet ignores anything but ack and nak here.
		}
		if ivorn != "" && m.Origin != "" && m.Origin != ivorn {
			return nil, fail(Broken, fmt.Sprintf("the %s names %q, not the event sent (%q)", m.Role, m.Origin, ivorn), nil)
		}
		r := &Reply{Message: m, Raw: payload}
		if m.Role == vtp.RoleNak {
			reason := m.Result
			if reason == "" {
				reason = "no reason given"
			}
			return r, &Error{Kind: Refused, Target: target.String(), Reason: reason}
		}
		return r, nil
	}
}

func classifyDial(err error, fail func(Kind, string, error) error) error {
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return fail(TimedOut, "timed out while connecting", err)
	case errors.Is(err, errConnRefused):
		return fail(Unreachable, "connection refused (is a broker listening there?)", err)
	case errors.As(err, &dns):
		return fail(Unreachable, "host name not found: "+dns.Name, err)
	}
	return fail(Unreachable, err.Error(), err)
}

func classifyIO(err error, when string, fail func(Kind, string, error) error) error {
	switch {
	case isTimeout(err), errors.Is(err, context.DeadlineExceeded):
		return fail(TimedOut, "timed out "+when, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errConnReset), errors.Is(err, errBrokenPipe):
		return fail(Broken, "the connection was closed "+when, err)
	}
	return fail(Broken, err.Error()+" "+when, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
