package bench

import (
	"bytes"
	"io"
	"net"
	"sync"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/vtp"
)

// NullBroker is a measuring instrument, not a broker: it answers every
// submission with an ack naming the event's IVORN, found by a byte search,
// and copies the packet to every subscriber, without parsing, validating,
// deduplicating or storing anything. What the benchmarks measure against it
// is the ceiling that this machine's network stack and the load generator
// leave for any broker.
type NullBroker struct {
	// BatchInterval, when positive, makes each subscriber's writer wait this
	// long after being woken, so that what arrives meanwhile goes out in the
	// same write; set it before serving.
	BatchInterval time.Duration

	ivo     string
	auth    []byte   // framed authenticate, sent to each subscriber
	journal *journal // with Journal: each event is on disk before its ack

	mu     sync.Mutex
	subs   map[*nullSub]struct{}
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// nullSub is one subscriber: whatever is pending goes out in one write.
type nullSub struct {
	mu   sync.Mutex
	out  []byte
	wake chan struct{}
}

// NewNullBroker returns a null broker that signs its packets as ivo.
func NewNullBroker(ivo string) *NullBroker {
	return &NullBroker{
		ivo:   ivo,
		auth:  vtp.AppendFrame(nil, vtp.Authenticate(ivo)),
		subs:  map[*nullSub]struct{}{},
		conns: map[net.Conn]struct{}{},
	}
}

// Journal makes the null broker durable: every submission is appended to
// path and fsynced, in group commits, before it is acked, as any broker that
// stores an event before acking it must at least do. Call it before serving.
func (n *NullBroker) Journal(path string) error {
	j, err := openJournal(path)
	if err != nil {
		return err
	}
	n.journal = j
	return nil
}

// ServeReceive answers one-shot submissions on l until Close.
func (n *NullBroker) ServeReceive(l net.Listener) error {
	return n.accept(l, n.receive)
}

// ServeBroadcast takes subscribers on l until Close.
func (n *NullBroker) ServeBroadcast(l net.Listener) error {
	return n.accept(l, n.subscribe)
}

// Close closes every connection and waits for their goroutines; the
// listeners are the caller's to close.
func (n *NullBroker) Close() {
	n.mu.Lock()
	n.closed = true
	for c := range n.conns {
		c.Close()
	}
	n.mu.Unlock()
	n.wg.Wait()
	if n.journal != nil {
		n.journal.close()
	}
}

func (n *NullBroker) accept(l net.Listener, serve func(net.Conn)) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		n.mu.Lock()
		if n.closed {
			n.mu.Unlock()
			c.Close()
			return net.ErrClosed
		}
		n.conns[c] = struct{}{}
		n.wg.Add(1)
		n.mu.Unlock()
		go func() {
			defer n.wg.Done()
			serve(c)
			c.Close()
			n.mu.Lock()
			delete(n.conns, c)
			n.mu.Unlock()
		}()
	}
}

// receive reads one frame, acks it and hands it to the subscribers.
func (n *NullBroker) receive(c net.Conn) {
	c.SetDeadline(time.Now().Add(broker.DefaultReceiveTimeout))
	raw, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
	if err != nil {
		return
	}
	if n.journal != nil && n.journal.append(raw) != nil {
		return // not on disk: no ack, as a broker whose commit failed
	}
	if vtp.WriteFrame(c, vtp.Ack(n.ivo, quickIVORN(raw))) != nil {
		return
	}
	frame := vtp.AppendFrame(make([]byte, 0, 4+len(raw)), raw)
	n.mu.Lock()
	subs := make([]*nullSub, 0, len(n.subs))
	for s := range n.subs {
		subs = append(subs, s)
	}
	n.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		s.out = append(s.out, frame...)
		s.mu.Unlock()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// subscribe sends authenticate, then writes what is pending whenever woken,
// while the connection's input (acks, iamalive answers) is read and dropped.
func (n *NullBroker) subscribe(c net.Conn) {
	s := &nullSub{out: append([]byte(nil), n.auth...), wake: make(chan struct{}, 1)}
	s.wake <- struct{}{}
	n.mu.Lock()
	n.subs[s] = struct{}{}
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.subs, s)
		n.mu.Unlock()
	}()
	gone := make(chan struct{})
	go func() {
		io.Copy(io.Discard, c)
		c.Close()
		close(gone)
	}()
	var spare []byte
	for {
		select {
		case <-gone:
			return
		case <-s.wake:
		}
		if n.BatchInterval > 0 {
			time.Sleep(n.BatchInterval)
		}
		s.mu.Lock()
		out := s.out
		s.out = spare[:0]
		s.mu.Unlock()
		if _, err := c.Write(out); err != nil {
			c.Close()
			<-gone
			return
		}
		spare = out
	}
}

// quickIVORN finds the value of the first ivorn="..." (or '...') attribute
// by a byte search; it does not unescape entities.
func quickIVORN(raw []byte) string {
	i := bytes.Index(raw, []byte("ivorn="))
	if i < 0 || i+7 > len(raw) {
		return ""
	}
	q := raw[i+6]
	if q != '"' && q != '\'' {
		return ""
	}
	v := raw[i+7:]
	j := bytes.IndexByte(v, q)
	if j < 0 {
		return ""
	}
	return string(v[:j])
}
