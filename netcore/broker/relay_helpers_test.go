package broker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// Helpers shared by the broadcaster, subscriber, handler and fuzz tests.

const (
	relayLocalIVO    = "ivo://starling.test/broker"
	relayUpstreamIVO = "ivo://starling.test/upstream"
	relayWait        = 5 * time.Second
)

// relayMemStore is an in-memory seen.Store.
type relayMemStore struct {
	mu sync.Mutex
	m  map[string]seen.Entry
}

func (s *relayMemStore) Admit(ctx context.Context, r seen.Record) (seen.Verdict, seen.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]seen.Entry{}
	}
	if e, ok := s.m[r.IVORN]; ok {
		if e.Digest == r.Digest {
			return seen.Duplicate, e, nil
		}
		return seen.Conflict, e, nil
	}
	e := seen.Entry{IVORN: r.IVORN, Digest: r.Digest, FirstSeen: r.Received, Source: r.Source}
	s.m[r.IVORN] = e
	return seen.New, e, nil
}

func (s *relayMemStore) Lookup(ctx context.Context, ivorn string) (seen.Entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[ivorn]
	return e, ok, nil
}

// relayLog collects log lines so that tests can wait for one.
type relayLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *relayLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *relayLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *relayLog) WithGroup(string) slog.Handler            { return l }
func (l *relayLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	l.mu.Lock()
	l.lines = append(l.lines, b.String())
	l.mu.Unlock()
	return nil
}

// has reports whether a line contains every one of parts.
func (l *relayLog) has(parts ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
next:
	for _, line := range l.lines {
		for _, p := range parts {
			if !strings.Contains(line, p) {
				continue next
			}
		}
		return true
	}
	return false
}

func (l *relayLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// waitLog waits for a log line containing every one of parts.
func (l *relayLog) wait(t testing.TB, parts ...string) {
	t.Helper()
	waitFor(t, fmt.Sprintf("log line %q", parts), func() bool { return l.has(parts...) })
}

// waitFor polls cond until it holds or relayWait passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(relayWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var (
	relayCheckerOnce sync.Once
	relayChecker     *voevent.Checker
	relayCheckerErr  error
)

// newRelayBroker returns a broker with an in-memory seen-list and a log to inspect.
func newRelayBroker(t testing.TB) (*Broker, *relayLog) {
	t.Helper()
	relayCheckerOnce.Do(func() {
		schema, err := voevent.LoadSchema()
		relayChecker, relayCheckerErr = &voevent.Checker{Schema: schema}, err
	})
	if relayCheckerErr != nil {
		t.Fatal(relayCheckerErr)
	}
	sl, err := seen.NewList(&relayMemStore{}, seen.Options{CacheEntries: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sl.Close)
	lg := &relayLog{}
	var h slog.Handler = lg
	if quietLog {
		h = slog.DiscardHandler
	}
	b := New(Config{LocalIVO: relayLocalIVO, Checker: relayChecker, Seen: sl, Log: slog.New(h)})
	return b, lg
}

// quietLog makes newRelayBroker discard log lines (benchmarks set it).
var quietLog bool

// relayEvent is a small valid VOEvent 2.0 packet with a mag Param.
func relayEvent(id string, mag float64) []byte {
	return []byte(fmt.Sprintf(`<?xml version='1.0' encoding='UTF-8'?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.ivoa.net/xml/VOEvent/v2.0 http://www.ivoa.net/xml/VOEvent/VOEvent-v2.0.xsd" version="2.0" role="observation" ivorn="ivo://starling.test/source#%s">
  <Who>
    <AuthorIVORN>ivo://starling.test/author</AuthorIVORN>
    <Date>2024-01-02T03:04:05</Date>
  </Who>
  <What>
    <Param name="mag" value="%g"/>
  </What>
</voe:VOEvent>
`, id, mag))
}

// mustParse parses a packet built by relayEvent.
func mustParse(t testing.TB, raw []byte) *voevent.Event {
	t.Helper()
	ev, err := voevent.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// startBroadcaster serves bc on a fresh loopback port and shuts it down at cleanup.
func startBroadcaster(t testing.TB, bc *Broadcaster) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- bc.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), relayWait)
		defer cancel()
		if err := bc.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return l.Addr().String()
}

// fakeSub is a scripted subscriber connected to a broadcaster.
type fakeSub struct {
	t      testing.TB
	c      net.Conn
	ack    bool // acknowledge events
	alive  bool // answer iamalive
	wmu    sync.Mutex
	events chan []byte
	auth   chan *vtp.Message
	alives chan struct{}
	closed chan struct{}
}

// dialSub connects a subscriber that acks events and answers iamalive as told.
func dialSub(t testing.TB, addr string, ack, alive bool) *fakeSub {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeSub(t, c, ack, alive)
	t.Cleanup(func() { c.Close() })
	return f
}

func newFakeSub(t testing.TB, c net.Conn, ack, alive bool) *fakeSub {
	f := &fakeSub{
		t: t, c: c, ack: ack, alive: alive,
		events: make(chan []byte, 10000),
		auth:   make(chan *vtp.Message, 10),
		alives: make(chan struct{}, 1000),
		closed: make(chan struct{}),
	}
	go f.read()
	return f
}

func (f *fakeSub) read() {
	defer close(f.closed)
	br := bufio.NewReader(f.c)
	for {
		raw, err := vtp.ReadFrame(br, 1<<24)
		if err != nil {
			return
		}
		root, _ := vtp.PeekRoot(raw)
		if root.Local == "Transport" {
			m, err := vtp.Parse(raw)
			if err != nil {
				f.t.Errorf("broadcaster sent an unparsable Transport packet: %v", err)
				return
			}
			switch m.Role {
			case vtp.RoleAuthenticate:
				f.auth <- m
			case vtp.RoleIAmAlive:
				select {
				case f.alives <- struct{}{}:
				default:
				}
				if f.alive {
					f.send(vtp.IAmAliveResponse("ivo://starling.test/sub", m.Origin))
				}
			}
			continue
		}
		if f.ack {
			f.send(vtp.Ack("ivo://starling.test/sub", root.IVORN))
		}
		f.events <- raw
	}
}

func (f *fakeSub) send(packet []byte) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	vtp.WriteFrame(f.c, packet)
}

// authenticate waits for the broadcaster's authenticate and answers it with filters.
func (f *fakeSub) authenticate(filters ...string) {
	f.t.Helper()
	select {
	case m := <-f.auth:
		if m.Origin != relayLocalIVO {
			f.t.Errorf("authenticate Origin = %q, want %q", m.Origin, relayLocalIVO)
		}
		f.send(vtp.AuthenticateResponse("ivo://starling.test/sub", m.Origin, filters))
	case <-time.After(relayWait):
		f.t.Fatal("no authenticate from the broadcaster")
	}
}

// next waits for the next event.
func (f *fakeSub) next() []byte {
	f.t.Helper()
	select {
	case raw := <-f.events:
		return raw
	case <-time.After(relayWait):
		f.t.Fatal("no event arrived")
	}
	return nil
}

// none checks that no event is waiting.
func (f *fakeSub) none() {
	f.t.Helper()
	select {
	case raw := <-f.events:
		f.t.Errorf("unexpected event: %.200s", raw)
	default:
	}
}

// waitClosed waits for the broadcaster to close the connection.
func (f *fakeSub) waitClosed() {
	f.t.Helper()
	select {
	case <-f.closed:
	case <-time.After(relayWait):
		f.t.Fatal("the broadcaster did not close the connection")
	}
}

// isClosed reports whether the connection has been closed by the broadcaster.
func (f *fakeSub) isClosed() bool {
	select {
	case <-f.closed:
		return true
	default:
		return false
	}
}

// waitFilters waits until n subscribers have answered authenticate and had their filters installed.
func waitFilters(t testing.TB, bc *Broadcaster, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d subscribers with filters installed", n), func() bool {
		k := 0
		for _, s := range *bc.subs.Load() {
			if s.filters.Load() != nil {
				k++
			}
		}
		return k >= n
	})
}
