package broker

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// publish runs raw through the broker as a receiver would and relays it.
func publish(t testing.TB, b *Broker, raw []byte) {
	t.Helper()
	o := b.Process(context.Background(), raw, "test")
	if !o.Accepted {
		t.Fatalf("event refused: %s", o.Reason)
	}
	b.Dispatch(o.Event, "test")
}

func TestBroadcastToTwoSubscribers(t *testing.T) {
	b, lg := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{})
	b.AddHandler(bc)
	var mu sync.Mutex
	kinds := map[ActivityKind]int{}
	b.Watch(func(a Activity) { mu.Lock(); kinds[a.Kind]++; mu.Unlock() })
	addr := startBroadcaster(t, bc)

	s1 := dialSub(t, addr, true, true)
	s2 := dialSub(t, addr, true, true)
	waitFor(t, "two subscribers", func() bool { return bc.Subscribers() == 2 })
	lg.wait(t, "New subscriber at 127.0.0.1:")

	raw := relayEvent("two", 12)
	publish(t, b, raw)
	for i, s := range []*fakeSub{s1, s2} {
		if got := s.next(); !bytes.Equal(got, raw) {
			t.Errorf("subscriber %d got different bytes:\n%s\nwant\n%s", i+1, got, raw)
		}
	}
	// Both acknowledged: nothing outstanding.
	waitFor(t, "acks counted", func() bool {
		for _, s := range *bc.subs.Load() {
			if s.outstanding.Load() != 0 {
				return false
			}
		}
		return true
	})

	s1.c.Close()
	waitFor(t, "one subscriber", func() bool { return bc.Subscribers() == 1 })
	lg.wait(t, "Subscriber at 127.0.0.1:", "disconnected")
	waitFor(t, "activity", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return kinds["subscribe"] == 2 && kinds["unsubscribe"] == 1
	})
}

func TestBroadcastFilters(t *testing.T) {
	b, lg := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{})
	b.AddHandler(bc)
	addr := startBroadcaster(t, bc)

	bright := dialSub(t, addr, true, true)  // matches mag > 10 only
	faint := dialSub(t, addr, true, true)   // matches mag < 10 only
	oldForm := dialSub(t, addr, true, true) // mag > 10, old <filter type="xpath"> form
	invalid := dialSub(t, addr, true, true) // an invalid filter: everything
	none := dialSub(t, addr, true, true)    // no authenticate answer at all, as pygcn
	either := dialSub(t, addr, true, true)  // one of two filters matches
	bright.authenticate(`//Param[@name="mag" and @value > 10]`)
	faint.authenticate(`//Param[@name="mag" and @value < 10]`)
	<-oldForm.auth
	oldForm.send([]byte(`<?xml version="1.0"?>
<trn:Transport xmlns:trn="http://telescope-networks.org/schema/Transport/v1.1" version="1.0" role="authenticate">
  <Origin>` + relayLocalIVO + `</Origin>
  <Response>ivo://starling.test/old</Response>
  <TimeStamp>2024-01-01T00:00:00Z</TimeStamp>
  <Meta><filter type="xpath">//Param[@name="mag" and @value &gt; 10]</filter></Meta>
</trn:Transport>`))
	invalid.authenticate(`//Param[@name=`)
	either.authenticate(`//Param[@value > 1000]`, `/*[local-name()="VOEvent" and @role!="test"]`)
	waitFilters(t, bc, 5)
	lg.wait(t, "Filter //Param[@name= is not valid XPath")
	lg.wait(t, `Installing filter //Param[@name="mag" and @value > 10] for`)

	brightRaw, faintRaw := relayEvent("bright", 15), relayEvent("faint", 5)
	publish(t, b, brightRaw)
	publish(t, b, faintRaw)

	for name, c := range map[string]struct {
		s    *fakeSub
		want [][]byte
	}{
		"bright":  {bright, [][]byte{brightRaw}},
		"faint":   {faint, [][]byte{faintRaw}},
		"oldForm": {oldForm, [][]byte{brightRaw}},
		"invalid": {invalid, [][]byte{brightRaw, faintRaw}},
		"none":    {none, [][]byte{brightRaw, faintRaw}},
		"either":  {either, [][]byte{brightRaw, faintRaw}},
	} {
		for i, want := range c.want {
			if got := c.s.next(); !bytes.Equal(got, want) {
				t.Errorf("%s: event %d is\n%.300s\nwant\n%.300s", name, i, got, want)
			}
		}
	}
	// A third event that every filter lets through flushes anything that should not have come.
	last := relayEvent("last", 2000)
	publish(t, b, last)
	for name, s := range map[string]*fakeSub{"bright": bright, "oldForm": oldForm, "invalid": invalid, "none": none, "either": either} {
		if got := s.next(); !bytes.Equal(got, last) {
			t.Errorf("%s got %.300s before the last event", name, got)
		}
	}
	faint.none()

	// A new authenticate answer replaces the filters.
	faint.send(vtp.AuthenticateResponse("ivo://starling.test/sub", relayLocalIVO, []string{"//Param[@value > 100]"}))
	lg.wait(t, "Installing filter //Param[@value > 100]")
	waitFor(t, "filters replaced", func() bool {
		for _, s := range *bc.subs.Load() {
			if fs := s.filters.Load(); fs != nil && len(*fs) == 1 && s.peer == faint.c.LocalAddr().String() {
				return true
			}
		}
		return false
	})
	ev2 := relayEvent("replaced", 500)
	publish(t, b, ev2)
	if got := faint.next(); !bytes.Equal(got, ev2) {
		t.Errorf("after new filters faint got %.300s", got)
	}
}

func TestBroadcastSharesCompiledFilters(t *testing.T) {
	b, _ := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{})
	addr := startBroadcaster(t, bc)
	const expr = `//Param[@name="mag"]`
	for range 3 {
		dialSub(t, addr, true, true).authenticate(expr)
	}
	waitFilters(t, bc, 3)
	var first *voevent.Filter
	for _, s := range *bc.subs.Load() {
		f := (*s.filters.Load())[0]
		if first == nil {
			first = f
		} else if f != first {
			t.Error("the same expression was compiled twice")
		}
	}
}

func TestBroadcastNakDropsSubscriber(t *testing.T) {
	b, lg := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{})
	b.AddHandler(bc)
	addr := startBroadcaster(t, bc)
	good := dialSub(t, addr, true, true)
	bad := dialSub(t, addr, false, true)
	waitFor(t, "two subscribers", func() bool { return bc.Subscribers() == 2 })
	raw := relayEvent("nak", 1)
	publish(t, b, raw)
	good.next()
	bad.next()
	bad.send(vtp.Nak("ivo://starling.test/sub", "ivo://starling.test/source#nak", "no thanks"))
	bad.waitClosed()
	lg.wait(t, "Nak received from 127.0.0.1:", "; terminating")
	waitFor(t, "one subscriber", func() bool { return bc.Subscribers() == 1 })
	raw2 := relayEvent("nak2", 1)
	publish(t, b, raw2)
	if got := good.next(); !bytes.Equal(got, raw2) {
		t.Errorf("good subscriber got %.200s", got)
	}
}

func TestBroadcastDropsDeadSubscriber(t *testing.T) {
	b, lg := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{IAmAliveInterval: 100 * time.Millisecond})
	b.AddHandler(bc)
	addr := startBroadcaster(t, bc)
	good := dialSub(t, addr, true, true)
	dead := dialSub(t, addr, true, false)
	dead.waitClosed()
	lg.wait(t, "Peer appears to be dead")
	// The well-behaved subscriber has answered several iamalives and is kept.
	for range 3 {
		select {
		case <-good.alives:
		case <-time.After(relayWait):
			t.Fatal("no iamalive")
		}
	}
	if good.isClosed() || bc.Subscribers() != 1 {
		t.Fatalf("good subscriber dropped (subscribers=%d):\n%s", bc.Subscribers(), lg)
	}
	raw := relayEvent("alive", 3)
	publish(t, b, raw)
	if got := good.next(); !bytes.Equal(got, raw) {
		t.Errorf("good subscriber got %.200s", got)
	}
}

func TestBroadcastDropsSubscriberThatDoesNotAck(t *testing.T) {
	b, lg := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{IAmAliveInterval: 150 * time.Millisecond, MaxOutstandingAcks: 3})
	b.AddHandler(bc)
	addr := startBroadcaster(t, bc)
	good := dialSub(t, addr, true, true)
	lazy := dialSub(t, addr, false, true)
	waitFor(t, "two subscribers", func() bool { return bc.Subscribers() == 2 })
	for i := range 3 {
		publish(t, b, relayEvent(fmt.Sprint("noack", i), 1))
		good.next()
		lazy.next()
	}
	lazy.waitClosed()
	lg.wait(t, "Peer is not acknowledging events")
	if good.isClosed() {
		t.Fatal("good subscriber dropped")
	}
}

func TestBroadcastDropsStalledSubscriber(t *testing.T) {
	b, lg := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{QueueLen: 4, WriteTimeout: time.Minute})
	addr := startBroadcaster(t, bc)
	good1 := dialSub(t, addr, true, true)
	good2 := dialSub(t, addr, true, true)
	// The stalled subscriber never reads anything, not even authenticate.
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	stalled.(*net.TCPConn).SetReadBuffer(4096)
	waitFor(t, "three subscribers", func() bool { return bc.Subscribers() == 3 })

	big := bytes.Repeat([]byte("x"), 64<<10)
	ev := &voevent.Event{Raw: append(append([]byte("<VOEvent>"), big...), "</VOEvent>"...)}
	const max = 2000
	n := 0
	for ; n < max && bc.Subscribers() == 3; n++ {
		bc.Publish(ev)
		// The good subscribers keep up: each event arrives before the next is published.
		for _, s := range []*fakeSub{good1, good2} {
			if got := s.next(); !bytes.Equal(got, ev.Raw) {
				t.Fatalf("good subscriber got %d bytes", len(got))
			}
		}
	}
	if bc.Subscribers() != 2 {
		t.Fatalf("stalled subscriber not dropped after %d events", n)
	}
	lg.wait(t, "Subscriber is not keeping up")
	t.Logf("stalled subscriber dropped after %d events of %d bytes", n, len(ev.Raw))
	bc.Publish(ev)
	good1.next()
	good2.next()
}

func TestBroadcastTestEvents(t *testing.T) {
	b, _ := newRelayBroker(t)
	handled := make(chan string, 100)
	b.AddHandler(HandlerFunc(func(ev *voevent.Event, source string) { handled <- ev.IVORN }))
	bc := b.NewBroadcaster(BroadcastConfig{TestInterval: 100 * time.Millisecond})
	b.AddHandler(bc)
	addr := startBroadcaster(t, bc)
	s := dialSub(t, addr, true, true)
	for range 2 {
		raw := s.next()
		ev, err := voevent.Parse(raw)
		if err != nil {
			t.Fatalf("test event does not parse: %v\n%s", err, raw)
		}
		if ev.Role != "test" || !strings.HasPrefix(ev.IVORN, relayLocalIVO+"#TestEvent-") {
			t.Errorf("test event role=%q ivorn=%q", ev.Role, ev.IVORN)
		}
		// It was committed like any event.
		if o := b.Process(context.Background(), raw, "again"); o.Accepted || o.Reason != ReasonPreviouslySeen {
			t.Errorf("test event sent again: accepted=%v reason=%q", o.Accepted, o.Reason)
		}
	}
	bc.Shutdown(context.Background())
	if len(handled) != 0 {
		t.Errorf("test events reached the other handlers: %v", <-handled)
	}
}

func TestBroadcastTestEventsToHandlers(t *testing.T) {
	b, _ := newRelayBroker(t)
	got := make(chan string, 10)
	b.AddHandler(HandlerFunc(func(ev *voevent.Event, source string) { got <- ev.IVORN }))
	bc := b.NewBroadcaster(BroadcastConfig{TestInterval: 50 * time.Millisecond, TestEventsToHandlers: true})
	b.AddHandler(bc)
	startBroadcaster(t, bc)
	select {
	case ivorn := <-got:
		if !strings.HasPrefix(ivorn, relayLocalIVO+"#TestEvent-") {
			t.Errorf("handler got %q", ivorn)
		}
	case <-time.After(relayWait):
		t.Fatal("no test event reached the handler")
	}
}

func TestBroadcastWhitelist(t *testing.T) {
	b, lg := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{Whitelist: Whitelist{mustPrefix(t, "127.0.0.1/32")}})
	addr := startBroadcaster(t, bc)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Skipf("cannot connect from 127.0.0.2: %v", err)
	}
	defer c.Close()
	refused := newFakeSub(t, c, true, true)
	refused.waitClosed()
	select {
	case <-refused.auth:
		t.Error("a refused subscriber got authenticate")
	default:
	}
	lg.wait(t, "Attempted subscription from non-whitelisted 127.0.0.2:")
	allowed := dialSub(t, addr, true, true)
	allowed.authenticate()
	if bc.Subscribers() != 1 {
		t.Errorf("subscribers = %d", bc.Subscribers())
	}
}

func mustPrefix(t testing.TB, s string) netip.Prefix {
	t.Helper()
	p, err := ParseNetwork(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBroadcastShutdown(t *testing.T) {
	b, _ := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{IAmAliveInterval: time.Hour, TestInterval: time.Hour})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- bc.Serve(l) }()
	subs := []*fakeSub{dialSub(t, l.Addr().String(), true, true), dialSub(t, l.Addr().String(), true, true)}
	waitFor(t, "two subscribers", func() bool { return bc.Subscribers() == 2 })
	raw := relayEvent("last-before-shutdown", 1)
	bc.Publish(mustParse(t, raw))
	ctx, cancel := context.WithTimeout(context.Background(), relayWait)
	defer cancel()
	if err := bc.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != ErrServerClosed {
		t.Errorf("Serve returned %v", err)
	}
	for _, s := range subs {
		if got := s.next(); !bytes.Equal(got, raw) {
			t.Error("event queued before shutdown was not delivered")
		}
		s.waitClosed()
	}
	if bc.Subscribers() != 0 {
		t.Errorf("subscribers = %d after shutdown", bc.Subscribers())
	}
	if err := bc.Serve(l); err != ErrServerClosed {
		t.Errorf("Serve after Shutdown returned %v", err)
	}
}
