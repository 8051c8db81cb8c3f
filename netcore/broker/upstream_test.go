package broker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// fakeUpstream is a scripted broadcaster: each accepted connection is handed to script.
type fakeUpstream struct {
	l     net.Listener
	conns chan net.Conn
}

func newFakeUpstream(t *testing.T) *fakeUpstream {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &fakeUpstream{l: l, conns: make(chan net.Conn, 100)}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(u.conns)
				return
			}
			u.conns <- c
		}
	}()
	t.Cleanup(func() { l.Close() })
	return u
}

func (u *fakeUpstream) endpoint() endpoint.Endpoint {
	return endpoint.Endpoint{Network: "tcp", Address: u.l.Addr().String()}
}

// accept waits for the subscriber's next connection.
func (u *fakeUpstream) accept(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-u.conns:
		t.Cleanup(func() { c.Close() })
		return c
	case <-time.After(relayWait):
		t.Fatal("the subscriber did not connect")
	}
	return nil
}

// exchange sends one packet and reads one answer.
func exchange(t *testing.T, c net.Conn, br *bufio.Reader, packet []byte) *vtp.Message {
	t.Helper()
	if err := vtp.WriteFrame(c, packet); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(relayWait))
	raw, err := vtp.ReadFrame(br, 1<<20)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	m, err := vtp.Parse(raw)
	if err != nil {
		t.Fatalf("answer does not parse: %v\n%s", err, raw)
	}
	return m
}

// runUpstream runs s until the test ends.
func runUpstream(t *testing.T, s *Upstream) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(relayWait):
			t.Error("Run did not return after cancel")
		}
	})
}

func TestSubscriberSession(t *testing.T) {
	b, lg := newRelayBroker(t)
	var mu sync.Mutex
	var dispatched []string
	b.AddHandler(HandlerFunc(func(ev *voevent.Event, source string) {
		mu.Lock()
		dispatched = append(dispatched, ev.IVORN+" "+source)
		mu.Unlock()
	}))
	u := newFakeUpstream(t)
	filters := []string{`//Param[@name="mag" and @value < 20]`, `//Who[AuthorIVORN="ivo://x/y"]`}
	s := b.NewUpstream(UpstreamConfig{Target: u.endpoint(), Filters: filters})
	runUpstream(t, s)
	c := u.accept(t)
	br := bufio.NewReader(c)

	m := exchange(t, c, br, vtp.Authenticate(relayUpstreamIVO))
	if m.Role != vtp.RoleAuthenticate || m.Origin != relayUpstreamIVO || m.Response != relayLocalIVO || !slices.Equal(m.Filters, filters) {
		t.Errorf("authenticate answer: %+v", m)
	}
	waitFor(t, "connected state", func() bool { return s.State().Connected })

	m = exchange(t, c, br, vtp.IAmAlive(relayUpstreamIVO))
	if m.Role != vtp.RoleIAmAlive || m.Origin != relayUpstreamIVO || m.Response != relayLocalIVO {
		t.Errorf("iamalive answer: %+v", m)
	}
	// pygcn's namespace is understood too.
	pygcn := bytes.ReplaceAll(vtp.IAmAlive(relayUpstreamIVO), []byte(vtp.Namespace), []byte("http://telescope-networks.org/schema/Transport/v1.1"))
	if m = exchange(t, c, br, pygcn); m.Role != vtp.RoleIAmAlive {
		t.Errorf("iamalive answer to pygcn's namespace: %+v", m)
	}

	valid := relayEvent("sub-valid", 12)
	invalid := bytes.Replace(relayEvent("sub-invalid", 12), []byte(`version="2.0"`), []byte(`version="2.0" bogus="1"`), 1)
	badIVORN := bytes.Replace(relayEvent("x", 1), []byte(`ivorn="ivo://starling.test/source#x"`), []byte(`ivorn="not an ivorn"`), 1)
	for _, c2 := range []struct {
		name  string
		raw   []byte
		ivorn string
	}{
		{"valid", valid, "ivo://starling.test/source#sub-valid"},
		{"invalid", invalid, "ivo://starling.test/source#sub-invalid"},
		{"bad ivorn", badIVORN, "not an ivorn"},
		{"duplicate", valid, "ivo://starling.test/source#sub-valid"},
	} {
		m := exchange(t, c, br, c2.raw)
		if m.Role != vtp.RoleAck || m.Origin != c2.ivorn || m.Response != relayLocalIVO {
			t.Errorf("%s: answer %+v, want an ack for %s", c2.name, m, c2.ivorn)
		}
	}
	// Garbage is logged and skipped; the connection stays up.
	vtp.WriteFrame(c, []byte("<<<not xml"))
	if m = exchange(t, c, br, vtp.IAmAlive(relayUpstreamIVO)); m.Role != vtp.RoleIAmAlive {
		t.Errorf("after garbage: %+v", m)
	}
	lg.wait(t, "Unparsable message received")

	mu.Lock()
	got := slices.Clone(dispatched)
	mu.Unlock()
	want := []string{"ivo://starling.test/source#sub-valid upstream " + u.l.Addr().String()}
	if !slices.Equal(got, want) {
		t.Errorf("dispatched %q, want %q", got, want)
	}
	if st := s.State(); !st.Connected || st.Received != 4 {
		t.Errorf("state %+v", st)
	}
}

func TestSubscriberReconnects(t *testing.T) {
	b, lg := newRelayBroker(t)
	var mu sync.Mutex
	kinds := map[ActivityKind]int{}
	b.Watch(func(a Activity) { mu.Lock(); kinds[a.Kind]++; mu.Unlock() })
	u := newFakeUpstream(t)
	s := b.NewUpstream(UpstreamConfig{Target: u.endpoint(), MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	runUpstream(t, s)
	c := u.accept(t)
	exchange(t, c, bufio.NewReader(c), vtp.Authenticate(relayUpstreamIVO))
	c.Close()
	c = u.accept(t)
	br := bufio.NewReader(c)
	if m := exchange(t, c, br, vtp.Authenticate(relayUpstreamIVO)); m.Role != vtp.RoleAuthenticate {
		t.Errorf("after reconnecting: %+v", m)
	}
	lg.wait(t, "Reconnecting to "+u.l.Addr().String())
	waitFor(t, "activity", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return kinds["connected"] == 2 && kinds["disconnected"] == 1
	})

	// A refused connection is retried too.
	u.l.Close()
	c.Close()
	waitFor(t, "a failed attempt", func() bool { return !s.State().Connected && s.State().LastError != "" })
	lg.wait(t, "Could not connect to "+u.l.Addr().String())
}

func TestSubscriberReconnectsWhenSilent(t *testing.T) {
	b, lg := newRelayBroker(t)
	u := newFakeUpstream(t)
	s := b.NewUpstream(UpstreamConfig{Target: u.endpoint(), AliveTimeout: 200 * time.Millisecond, MinBackoff: 10 * time.Millisecond})
	runUpstream(t, s)
	first := u.accept(t)
	start := time.Now()
	// Say nothing; the subscriber gives up on the connection and dials again.
	u.accept(t)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("reconnected after %v, before the alive timeout", d)
	}
	first.SetReadDeadline(time.Now().Add(relayWait))
	if _, err := first.Read(make([]byte, 1)); err == nil {
		t.Error("the silent connection was not closed")
	}
	lg.wait(t, "No iamalive received from")
	if st := s.State(); st.LastError == "" {
		t.Errorf("state %+v", st)
	}
}

func TestSubscriberStopsOnCancel(t *testing.T) {
	b, _ := newRelayBroker(t)
	u := newFakeUpstream(t)
	s := b.NewUpstream(UpstreamConfig{Target: u.endpoint()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	c := u.accept(t)
	waitFor(t, "connected", func() bool { return s.State().Connected })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(relayWait):
		t.Fatal("Run did not return")
	}
	c.SetReadDeadline(time.Now().Add(relayWait))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection not closed")
	}
	if s.State().Connected {
		t.Error("still connected")
	}
}

// TestSubscriberRelaysThroughBroadcaster chains two brokers: an event
// published by the first reaches a subscriber of the second, byte for byte,
// and does not come back.
func TestSubscriberRelaysThroughBroadcaster(t *testing.T) {
	up, _ := newRelayBroker(t)
	upBC := up.NewBroadcaster(BroadcastConfig{})
	up.AddHandler(upBC)
	upAddr := startBroadcaster(t, upBC)

	down, _ := newRelayBroker(t)
	downBC := down.NewBroadcaster(BroadcastConfig{})
	down.AddHandler(downBC)
	downAddr := startBroadcaster(t, downBC)
	leaf := dialSub(t, downAddr, true, true)

	sub := down.NewUpstream(UpstreamConfig{Target: endpoint.Endpoint{Network: "tcp", Address: upAddr}, Filters: []string{`//Param[@value > 1]`}})
	runUpstream(t, sub)
	waitFilters(t, upBC, 1)

	upBC.Publish(mustParse(t, relayEvent("chain-filtered-out", 0.5)))
	raw := relayEvent("chain", 7)
	publish(t, up, raw)
	if got := leaf.next(); !bytes.Equal(got, raw) {
		t.Errorf("leaf got %.300s", got)
	}
	waitFor(t, "upstream acks", func() bool {
		for _, s := range *upBC.subs.Load() {
			if s.outstanding.Load() != 0 {
				return false
			}
		}
		return true
	})
	leaf.none()
}

func TestSubscriberAcceptInvalid(t *testing.T) {
	b, lg := newRelayBroker(t)
	dispatched := make(chan string, 10)
	b.AddHandler(HandlerFunc(func(ev *voevent.Event, source string) { dispatched <- ev.IVORN }))
	u := newFakeUpstream(t)
	s := b.NewUpstream(UpstreamConfig{Target: u.endpoint(), AcceptInvalid: true})
	runUpstream(t, s)
	c := u.accept(t)
	br := bufio.NewReader(c)
	v11 := []byte(`<?xml version="1.0"?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v1.1" ivorn="ivo://nasa.gsfc.gcn/gcn" role="observation" version="1.1">
  <Who><Date>2024-01-01T00:00:00</Date></Who>
</voe:VOEvent>`)
	if m := exchange(t, c, br, v11); m.Role != vtp.RoleAck || m.Origin != "ivo://nasa.gsfc.gcn/gcn" {
		t.Errorf("answer %+v", m)
	}
	if m := exchange(t, c, br, v11); m.Role != vtp.RoleAck {
		t.Errorf("answer to the duplicate %+v", m)
	}
	noIVORN := bytes.Replace(v11, []byte(` ivorn="ivo://nasa.gsfc.gcn/gcn"`), nil, 1)
	if m := exchange(t, c, br, noIVORN); m.Role != vtp.RoleAck {
		t.Errorf("answer to an event without IVORN %+v", m)
	}
	select {
	case ivorn := <-dispatched:
		if ivorn != "ivo://nasa.gsfc.gcn/gcn" {
			t.Errorf("dispatched %q", ivorn)
		}
	case <-time.After(relayWait):
		t.Fatal("the VOEvent 1.1 packet was not dispatched")
	}
	lg.wait(t, "Accepting an event that fails validation")
	if got := b.Counters(); got.Received != 3 || got.Accepted != 1 || got.Refused != 2 {
		t.Errorf("counters %+v", got)
	}
	select {
	case ivorn := <-dispatched:
		t.Errorf("also dispatched %q", ivorn)
	default:
	}
}

// TestSubscriberReconnectNow: a subscription waiting a long backoff shows
// when it will try again, and Reconnect makes it try at once; a connected
// one drops its connection and connects afresh.
func TestSubscriberReconnectNow(t *testing.T) {
	b, _ := newRelayBroker(t)
	u := newFakeUpstream(t)
	s := b.NewUpstream(UpstreamConfig{Target: u.endpoint(), MinBackoff: time.Hour, MaxBackoff: time.Hour})
	runUpstream(t, s)
	first := u.accept(t)
	waitFor(t, "connected", func() bool { return s.State().Connected })
	first.Close() // upstream goes away: the subscriber waits an hour
	waitFor(t, "a next attempt in the future", func() bool {
		st := s.State()
		return !st.Connected && time.Until(st.NextAttempt) > 10*time.Minute
	})
	s.Reconnect()
	u.accept(t) // at once, not in an hour
	waitFor(t, "connected again", func() bool { st := s.State(); return st.Connected && st.NextAttempt.IsZero() })
	s.Reconnect() // connected: a fresh connection
	u.accept(t)
	waitFor(t, "connected a third time", func() bool { return s.State().Connected })
}
