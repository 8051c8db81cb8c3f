package broker

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/starling-broker/starling/netcore/vtp"
)

// Receiver accepts one-shot submissions from authors: one event per
// connection, answered with an ack or a nak, then closed.
type Receiver struct {
	b         *Broker
	whitelist Whitelist
	log       *slog.Logger
	srv       server
	// base is the context of every submission's commit, as net/http's
	// Server.BaseContext: cancelled once Shutdown has closed the connections.
	base   context.Context
	cancel context.CancelFunc
}

// NewReceiver returns a receiver that takes submissions from whitelisted peers.
func (b *Broker) NewReceiver(w Whitelist) *Receiver {
	log := b.log.With("component", "receiver")
	base, cancel := context.WithCancel(b.cfg.Context)
	return &Receiver{b: b, whitelist: w, log: log, srv: newServer(log), base: base, cancel: cancel}
}

// Serve accepts connections on l until Shutdown; it returns ErrServerClosed then.
func (r *Receiver) Serve(l net.Listener) error {
	logf(r.log, slog.LevelInfo, nil, msgReceiving, l.Addr(), r.whitelist)
	return r.srv.serve(l, nil, r.serveConn)
}

// Shutdown stops accepting, lets connections in progress finish (each is
// bounded by the receive timeout) and returns when they have, or when ctx ends,
// in which case the remaining connections are closed.
func (r *Receiver) Shutdown(ctx context.Context) error {
	defer r.cancel()
	return r.srv.shutdown(ctx, nil)
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
		r.b.notify(Activity{Kind: ActivityDrop, Peer: peer, Reason: "not in the receive whitelist"})
		return
	}
	r.log.Info("New connection from " + peer)
	timeout := r.b.receiveTimeoutNow()
	c.SetDeadline(time.Now().Add(timeout))
	raw, err := vtp.ReadFrame(c, r.b.MaxFrame())
	if err != nil {
		reason := vtp.DescribeReadError(err, 0, timeout)
		r.log.Info(peer + " " + reason + "; connection closed")
		r.b.notify(Activity{Kind: ActivityDrop, Peer: peer, Reason: reason})
		return
	}
	o := r.b.Process(r.base, raw, r.b.sourceOf(raw, c.RemoteAddr(), peer))
	var reply []byte
	if o.Accepted {
		logf(r.log, slog.LevelInfo, nil, msgAccepted, o.IVORN, peer)
		reply = vtp.Ack(r.b.LocalIVO(), o.IVORN)
		r.b.notify(o.ack(peer))
	} else {
		logf(r.log, slog.LevelInfo, []any{"ivorn", o.IVORN, "peer", peer}, msgRejected, o.Reason)
		reply = vtp.Nak(r.b.LocalIVO(), o.IVORN, "Event rejected: "+o.Reason)
		r.b.notify(Activity{Kind: ActivityNak, IVORN: o.IVORN, Peer: peer, Reason: o.Reason})
	}
	if err := vtp.WriteFrame(c, reply); err != nil {
		r.log.Warn("could not answer "+peer, "err", err)
	}
	if o.Accepted {
		r.b.Dispatch(o.Event, peer)
	}
}
