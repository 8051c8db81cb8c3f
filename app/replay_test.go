package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/vtp"
)

// The broadcaster's replay, end to end within the process: a real store in
// a temporary directory, the broker's own commit path (what the receiver
// and the Kafka consumers call), and listeners on real loopback sockets.

const replayWait = 10 * time.Second

// syncBuffer is a log sink that tests read while the broker writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// replayBroker is a Core with a broadcasting local broker.
type replayBroker struct {
	t   testing.TB
	dir string
	log *syncBuffer
	c   *Core
	lb  *LocalBroker
	cfg BrokerConfig

	mu       sync.Mutex
	activity []broker.Activity
}

// startReplayBroker opens a Core on dir and starts a broker broadcasting on
// a fresh loopback port; cfg's other fields are kept.
func startReplayBroker(t testing.TB, dir string, cfg BrokerConfig) *replayBroker {
	t.Helper()
	rb := &replayBroker{t: t, dir: dir, log: &syncBuffer{}, cfg: cfg}
	c, err := Open(context.Background(), Options{DataDir: dir, Log: slog.New(slog.NewTextHandler(rb.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rb.c = c
	cfg.LocalIVO = "ivo://starling.test/replay"
	cfg.Broadcast = []endpoint.Endpoint{{Network: "tcp", Address: "127.0.0.1:0"}}
	lb, err := c.Brokers().Start(cfg)
	if err != nil {
		c.Close(context.Background())
		t.Fatal(err)
	}
	c.Watch(func(ch Change) {
		if ch.Activity == nil {
			return
		}
		rb.mu.Lock()
		rb.activity = append(rb.activity, *ch.Activity)
		rb.mu.Unlock()
	})
	rb.lb = lb
	t.Cleanup(rb.stop)
	return rb
}

// stop stops the broker and closes the Core (again is a no-op).
func (rb *replayBroker) stop() {
	if rb.c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), replayWait)
	defer cancel()
	if err := rb.c.Brokers().Stop(ctx); err != nil {
		rb.t.Errorf("StopBroker: %v", err)
	}
	rb.c.Close(context.Background())
	rb.c = nil
}

func (rb *replayBroker) addr() string { return rb.lb.BroadcastAddrs()[0].String() }

// replayed returns the reasons of the replay activities reported.
func (rb *replayBroker) replayed() []string {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	var out []string
	for _, a := range rb.activity {
		if a.Kind == broker.ActivityReplay {
			out = append(out, a.Reason)
		}
	}
	return out
}

// replayEvent is a small valid VOEvent with a mag Param.
func replayEvent(id string, mag int) []byte {
	return []byte(fmt.Sprintf(`<?xml version='1.0' encoding='UTF-8'?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.ivoa.net/xml/VOEvent/v2.0 http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd" version="2.0" role="observation" ivorn="ivo://starling.test/replay-source#%s">
  <Who>
    <AuthorIVORN>ivo://starling.test/author</AuthorIVORN>
    <Date>2024-01-02T03:04:05</Date>
  </Who>
  <What>
    <Param name="mag" value="%d"/>
  </What>
</voe:VOEvent>
`, id, mag))
}

// publish commits raw and hands it to the broker's handlers, as the
// receiver and the Kafka consumers do.
func (rb *replayBroker) publish(raw []byte) {
	rb.t.Helper()
	o := rb.lb.b.Process(context.Background(), raw, "replay test")
	if !o.Accepted {
		rb.t.Fatalf("event refused: %s", o.Reason)
	}
	rb.lb.b.Dispatch(o.Event, "replay test")
}

// publishN publishes n events named prefix-0 … and returns their bytes.
func (rb *replayBroker) publishN(prefix string, n int) [][]byte {
	var out [][]byte
	for i := range n {
		raw := replayEvent(fmt.Sprintf("%s-%d", prefix, i), i)
		rb.publish(raw)
		out = append(out, raw)
	}
	return out
}

// listener is a subscriber on a real socket. Like pygcn it acks every
// event and answers iamalive; it answers authenticate only when it has an
// IVO (as Comet's subscriber does), else never (as pygcn).
type listener struct {
	t       testing.TB
	c       net.Conn
	ivo     string
	filters []string
	wmu     sync.Mutex
	events  chan []byte
	closed  chan struct{}
}

// dialListener connects from the loopback address from (127.0.0.1 when "").
func dialListener(t testing.TB, addr, from, ivo string, filters ...string) *listener {
	t.Helper()
	d := net.Dialer{Timeout: replayWait}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	l := &listener{t: t, c: c, ivo: ivo, filters: filters, events: make(chan []byte, 10000), closed: make(chan struct{})}
	go l.read()
	t.Cleanup(l.close)
	return l
}

func (l *listener) read() {
	defer close(l.closed)
	for {
		p, err := vtp.ReadFrame(l.c, vtp.DefaultMaxFrame)
		if err != nil {
			return
		}
		root, _ := vtp.PeekRoot(p)
		if root.Local != "Transport" {
			// Acked before the test sees it: a test that closes the
			// connection once it has an event expects it acknowledged.
			l.send(vtp.Ack("ivo://starling.test/listener", root.IVORN))
			l.events <- p
			continue
		}
		m, err := vtp.Parse(p)
		if err != nil {
			continue
		}
		switch m.Role {
		case vtp.RoleIAmAlive:
			l.send(vtp.IAmAliveResponse("ivo://starling.test/listener", m.Origin))
		case vtp.RoleAuthenticate:
			if l.ivo != "" {
				l.send(vtp.AuthenticateResponse(l.ivo, m.Origin, l.filters))
			}
		}
	}
}

func (l *listener) send(p []byte) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	vtp.WriteFrame(l.c, p)
}

func (l *listener) close() {
	l.c.Close()
	<-l.closed
}

// next waits for the next event.
func (l *listener) next() []byte {
	l.t.Helper()
	select {
	case p := <-l.events:
		return p
	case <-time.After(replayWait):
		l.t.Fatalf("no event arrived")
	}
	return nil
}

// expect waits for want, in order and byte for byte.
func (l *listener) expect(want [][]byte) {
	l.t.Helper()
	for i, w := range want {
		got := l.next()
		if !bytes.Equal(got, w) {
			g, _ := vtp.PeekRoot(got)
			wr, _ := vtp.PeekRoot(w)
			l.t.Fatalf("event %d of %d: got %s, want %s", i+1, len(want), g.IVORN, wr.IVORN)
		}
	}
}

// none checks that no event arrives for a while.
func (l *listener) none(what string) {
	l.t.Helper()
	select {
	case p := <-l.events:
		root, _ := vtp.PeekRoot(p)
		l.t.Fatalf("%s: unexpected event %s", what, root.IVORN)
	case <-time.After(500 * time.Millisecond):
	}
}

// live connects a listener and waits until it is live (known to the
// broadcaster, its cursor saved): the first event published after it
// connects reaches it.
func (rb *replayBroker) live(from, ivo string, filters ...string) *listener {
	rb.t.Helper()
	l := dialListener(rb.t, rb.addr(), from, ivo, filters...)
	raw := replayEvent(fmt.Sprintf("hello-%d", time.Now().UnixNano()), 100)
	rb.waitSubscribers(1)
	rb.publish(raw)
	l.expect([][]byte{raw})
	return l
}

// leave disconnects l and waits until the broadcaster has seen it go.
func (rb *replayBroker) leave(l *listener) {
	rb.t.Helper()
	l.close()
	rb.waitSubscribers(0)
}

// waitLog waits for a log line containing s.
func (rb *replayBroker) waitLog(s string) {
	rb.t.Helper()
	deadline := time.Now().Add(replayWait)
	for !strings.Contains(rb.log.String(), s) {
		if time.Now().After(deadline) {
			rb.t.Fatalf("no log line %q in:\n%s", s, rb.log)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (rb *replayBroker) waitSubscribers(n int) {
	rb.t.Helper()
	deadline := time.Now().Add(replayWait)
	for rb.lb.Subscribers() != n {
		if time.Now().After(deadline) {
			rb.t.Fatalf("%d subscribers, want %d", rb.lb.Subscribers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReplayMissedEventsAfterReconnect(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{})
	l := rb.live("", "")
	rb.leave(l)
	missed := rb.publishN("missed", 19)

	l = dialListener(t, rb.addr(), "", "")
	l.expect(missed)
	// Once the replay is over (an event published while it runs is
	// archived in time for it, and counted).
	rb.waitLog("Replayed 19 missed events to 127.0.0.1:")
	live := rb.publishN("live", 3)
	l.expect(live)
	l.none("after the live events")
	if got := rb.replayed(); len(got) != 1 || got[0] != "Replayed 19 missed events" {
		t.Errorf("replay activity %q", got)
	}

	// A listener from another address is new: it starts live, with what
	// is published while the broadcaster waits for its answer to
	// authenticate, in order.
	other := dialListener(t, rb.addr(), "127.0.0.2", "")
	rb.waitSubscribers(2)
	test := bytes.Replace(replayEvent("a-test", 1), []byte(`role="observation"`), []byte(`role="test"`), 1)
	rb.publish(test)
	more := append([][]byte{test}, rb.publishN("more", 2)...)
	other.expect(more)
	other.none("a new subscriber")
	l.expect(more)
}

// The seam: events published while the backlog is replayed (and while the
// replay's queries run) arrive once each, in order, after the backlog.
func TestReplaySeamUnderLoad(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{})
	l := rb.live("", "")
	rb.leave(l)
	want := rb.publishN("backlog", 600)

	l = dialListener(t, rb.addr(), "", "")
	done := make(chan [][]byte)
	go func() {
		var out [][]byte
		for i := range 400 {
			raw := replayEvent(fmt.Sprintf("during-%d", i), i)
			o := rb.lb.b.Process(context.Background(), raw, "replay test")
			if o.Accepted {
				rb.lb.b.Dispatch(o.Event, "replay test")
			}
			out = append(out, raw)
			if i%50 == 0 {
				time.Sleep(2 * time.Millisecond)
			}
		}
		done <- out
	}()
	want = append(want, <-done...)
	seen := map[string]bool{}
	for i, w := range want {
		got := l.next()
		root, _ := vtp.PeekRoot(got)
		if seen[root.IVORN] {
			t.Fatalf("event %d: %s sent twice", i, root.IVORN)
		}
		seen[root.IVORN] = true
		if !bytes.Equal(got, w) {
			wr, _ := vtp.PeekRoot(w)
			t.Fatalf("event %d of %d: got %s, want %s", i+1, len(want), root.IVORN, wr.IVORN)
		}
	}
	l.none("after all")
}

func TestReplayThroughFilter(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{})
	const ivo = "ivo://starling.test/filtered"
	filter := `//Param[@name="mag" and @value >= 10]`
	l := rb.live("", ivo, filter)
	rb.leave(l)
	all := rb.publishN("filtered", 19)

	// The same IVO from another address is the same subscriber.
	l = dialListener(t, rb.addr(), "127.0.0.3", ivo, filter)
	l.expect(all[10:])
	l.none("past the matching events")
	if got := rb.replayed(); len(got) != 1 || got[0] != "Replayed 9 missed events" {
		t.Errorf("replay activity %q", got)
	}

	// Another IVO is new, though from the same address.
	n := dialListener(t, rb.addr(), "127.0.0.3", "ivo://starling.test/newcomer")
	n.none("a new subscriber")
}

func TestReplayNotPastGrace(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{})
	l := rb.live("", "")
	rb.leave(l)
	rb.publishN("stale", 19)
	old := time.Now().Add(-broker.DefaultReplayGrace - time.Minute).UnixMilli()
	if _, err := rb.c.store.DB().Exec(`UPDATE subscribers SET last_seen = ?`, old); err != nil {
		t.Fatal(err)
	}
	l = dialListener(t, rb.addr(), "", "")
	l.none("past the grace period")
	live := rb.publishN("after", 2)
	l.expect(live)
	l.none("after the live events")
}

func TestReplayGraceOption(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{ReplayGrace: 3 * time.Hour})
	l := rb.live("", "")
	rb.leave(l)
	missed := rb.publishN("grace", 5)
	old := time.Now().Add(-2 * time.Hour).UnixMilli()
	if _, err := rb.c.store.DB().Exec(`UPDATE subscribers SET last_seen = ?`, old); err != nil {
		t.Fatal(err)
	}
	l = dialListener(t, rb.addr(), "", "")
	l.expect(missed)
	l.none("after the backlog")
}

func TestReplayOff(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{NoReplay: true})
	l := dialListener(t, rb.addr(), "", "")
	rb.waitSubscribers(1)
	first := rb.publishN("first", 1)
	l.expect(first)
	rb.leave(l)
	rb.publishN("off", 19)
	l = dialListener(t, rb.addr(), "", "")
	rb.waitSubscribers(1)
	l.none("with replay off")
	live := rb.publishN("live", 2)
	l.expect(live)
	var n int
	if err := rb.c.store.DB().QueryRow(`SELECT count(*) FROM subscribers`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d cursors saved with replay off (%v)", n, err)
	}
}

// The cursor survives the broker: stopped, reopened on the same data
// directory, the broker archives events while the listener is away and
// replays them when it comes back.
func TestReplayAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	rb := startReplayBroker(t, dir, BrokerConfig{})
	l := rb.live("", "")
	rb.stop() // the listener is cut off by the shutdown
	<-l.closed

	rb = startReplayBroker(t, dir, BrokerConfig{})
	missed := rb.publishN("restart", 19)
	l = dialListener(t, rb.addr(), "", "")
	l.expect(missed)
	live := rb.publishN("live", 1)
	l.expect(live)
	l.none("after the live event")
}

// A subscriber that does not ack gets no more than the replay window of
// the backlog, and is dropped as Comet drops it, not fed the lot.
func TestReplayPacedByAcks(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{IAmAliveInterval: time.Hour})
	l := rb.live("", "")
	rb.leave(l)
	rb.publishN("paced", 300)

	c, err := net.Dial("tcp", rb.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	events := 0
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		p, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
		if err != nil {
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				if err != io.EOF {
					t.Fatal(err)
				}
			}
			break
		}
		if root, _ := vtp.PeekRoot(p); root.Local != "Transport" {
			events++
		}
	}
	if events == 0 || events > 64 {
		t.Fatalf("%d events sent to a subscriber that acked none, want 1 to 64", events)
	}
}

// An event archived before the replay's last read but published (handed to
// the broadcaster) only after the subscriber went live, as the Kafka
// source's deferred hand-over can do: replayed once, not sent again live.
func TestReplayArchivedThenPublishedLate(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{})
	l := rb.live("", "")
	rb.leave(l)
	late := replayEvent("late", 1)
	o := rb.lb.b.Process(context.Background(), late, "replay test")
	if !o.Accepted {
		t.Fatalf("event refused: %s", o.Reason)
	}
	l = dialListener(t, rb.addr(), "", "")
	l.expect([][]byte{late})
	rb.waitLog("Replayed 1 missed events to 127.0.0.1:")
	rb.lb.b.Dispatch(o.Event, "replay test")
	after := rb.publishN("after", 1)
	l.expect(after)
	l.none("after the live event")
}

// An event archived before another but handed to the broadcaster after it
// (two sources at once, or a Kafka fetch handled concurrently), and after
// the subscriber has left: the subscriber acknowledged the later one, yet
// its cursor stays below the earlier one, which it gets when it comes back.
func TestReplayEventRelayedAfterSubscriberLeft(t *testing.T) {
	rb := startReplayBroker(t, t.TempDir(), BrokerConfig{})
	l := rb.live("", "")
	slow := replayEvent("slow", 1)
	o := rb.lb.b.Process(context.Background(), slow, "replay test")
	if !o.Accepted {
		t.Fatalf("event refused: %s", o.Reason)
	}
	quick := rb.publishN("quick", 1)
	l.expect(quick)
	rb.leave(l)
	rb.lb.b.Dispatch(o.Event, "replay test") // to nobody
	l = dialListener(t, rb.addr(), "", "")
	// At least once: the quick event, archived after the slow one, again.
	l.expect([][]byte{slow, quick[0]})
	l.none("after the replay")
}

// BenchmarkReplayBacklog measures the pace of a replay: a pygcn-style
// listener that comes back gets a backlog of 2000 events, acking each, on
// loopback; the metric runs from the first replayed event to the last
// (not the broadcaster's wait for an answer to authenticate).
func BenchmarkReplayBacklog(b *testing.B) {
	const n = 2000
	for range b.N {
		b.StopTimer()
		rb := startReplayBroker(b, b.TempDir(), BrokerConfig{})
		l := rb.live("", "")
		rb.leave(l)
		rb.publishN("bench", n)
		l = dialListener(b, rb.addr(), "", "")
		l.next()
		b.StartTimer()
		start := time.Now()
		for range n - 1 {
			l.next()
		}
		b.ReportMetric(float64(n-1)/time.Since(start).Seconds(), "events/s")
		b.StopTimer()
		rb.stop()
	}
}
