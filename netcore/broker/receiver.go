package broker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/netcore/vtp"
)

// Receiver accepts one-shot submissions from authors: one event per
// connection, answered with an ack or a nak, then closed.
type Receiver struct {
	b         *Broker
	whitelist Whitelist
	log       *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	wg        sync.WaitGroup
	closing   atomic.Bool
}

// NewReceiver returns a receiver that takes submissions from whitelisted peers.
func (b *Broker) NewReceiver(w Whitelist) *Receiver {
	return &Receiver{
		b:         b,
		whitelist: w,
		log:       b.log.With("component", "receiver"),
		listeners: map[net.Listener]struct{}{},
		conns:     map[net.Conn]struct{}{},
	}
}

// Serve accepts connections on l until Shutdown; it returns ErrServerClosed then.
func (r *Receiver) Serve(l net.Listener) error {
	if r.closing.Load() {
		l.Close()
		return ErrServerClosed
	}
	r.mu.Lock()
	r.listeners[l] = struct{}{}
	r.mu.Unlock()
	r.log.Info(fmt.Sprintf("Receiving events on %s (accepting submissions from %s)", l.Addr(), r.whitelist))
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if r.closing.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) || isTemporary(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				r.log.Warn("accept failed; retrying", "err", err, "in", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		if !r.track(c, true) {
			c.Close()
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer r.track(c, false)
			r.serveConn(c)
		}()
	}
}

// isTemporary reports accept errors worth retrying, such as running out of
// file descriptors.
func isTemporary(err error) bool {
	var se interface{ Temporary() bool }
	return errors.As(err, &se) && se.Temporary()
}

func (r *Receiver) track(c net.Conn, add bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if add {
		if r.closing.Load() {
			return false
		}
		r.conns[c] = struct{}{}
	} else {
		delete(r.conns, c)
	}
	return true
}

// Shutdown stops accepting, lets connections in progress finish (each is
// bounded by the receive timeout) and returns when they have, or when ctx ends,
// in which case the remaining connections are closed.
func (r *Receiver) Shutdown(ctx context.Context) error {
	r.closing.Store(true)
	r.mu.Lock()
	for l := range r.listeners {
		l.Close()
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		for c := range r.conns {
			c.Close()
		}
		r.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

func peerName(c net.Conn) string {
	if a := c.RemoteAddr(); a != nil && a.String() != "" && a.String() != "@" {
		return a.String()
	}
	return "unix:" + c.LocalAddr().String()
}

func (r *Receiver) serveConn(c net.Conn) {
	defer c.Close()
	peer := peerName(c)
	if !r.whitelist.Allows(c.RemoteAddr()) {
		r.log.Info("Attempted submission from non-whitelisted " + peer)
		r.b.notify(Activity{Kind: "drop", Peer: peer, Reason: "not in the receive whitelist"})
		return
	}
	r.log.Info("New connection from " + peer)
	timeout := r.b.cfg.ReceiveTimeout
	c.SetDeadline(time.Now().Add(timeout))
	raw, err := vtp.ReadFrame(c, r.b.cfg.MaxFrame)
	if err != nil {
		reason := r.describeReadError(err, timeout)
		r.log.Info(peer + " " + reason + "; connection closed")
		r.b.notify(Activity{Kind: "drop", Peer: peer, Reason: reason})
		return
	}
	o := r.b.Process(context.Background(), raw, peer)
	var reply []byte
	if o.Accepted {
		r.log.Info(fmt.Sprintf("VOEvent %s received from %s; accepted", o.IVORN, peer))
		reply = vtp.Ack(r.b.cfg.LocalIVO, o.IVORN)
		r.b.notify(Activity{Kind: "ack", IVORN: o.IVORN, Peer: peer})
	} else {
		r.log.Info(fmt.Sprintf("Event rejected (%s); discarding", o.Reason), "ivorn", o.IVORN, "peer", peer)
		reply = vtp.Nak(r.b.cfg.LocalIVO, o.IVORN, "Event rejected: "+o.Reason)
		r.b.notify(Activity{Kind: "nak", IVORN: o.IVORN, Peer: peer, Reason: o.Reason})
	}
	if err := vtp.WriteFrame(c, reply); err != nil {
		r.log.Warn("could not answer "+peer, "err", err)
	}
	if o.Accepted {
		r.b.Dispatch(o.Event, peer)
	}
}

func (r *Receiver) describeReadError(err error, timeout time.Duration) string {
	var tooLarge *vtp.FrameTooLargeError
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF):
		return "closed the connection without sending anything"
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("timed out after %d seconds", int(timeout.Seconds()))
	case errors.Is(err, vtp.ErrEmptyFrame):
		return "sent an empty frame"
	case errors.As(err, &tooLarge):
		return "exceeded the length limit: " + err.Error()
	default:
		return "sent an unreadable frame: " + err.Error()
	}
}
