package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/vtp"
)

// fakeBroker is a minimal VTP broker for tests: its receiver acks each event
// and forwards it to every connected subscriber. With dropAfter > 0 it cuts
// the first subscriber off once that many measured events have gone out;
// with iamalive it sends an iamalive to each new subscriber.
type fakeBroker struct {
	recv, bcast net.Listener
	dropAfter   int
	iamalive    bool

	mu       sync.Mutex
	subs     []net.Conn
	measured int
	answers  int // packets received from subscribers
}

func newFakeBroker(t *testing.T, dropAfter int) *fakeBroker {
	t.Helper()
	f := &fakeBroker{dropAfter: dropAfter}
	var err error
	if f.recv, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if f.bcast, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		f.recv.Close()
		f.bcast.Close()
		f.mu.Lock()
		for _, c := range f.subs {
			c.Close()
		}
		f.mu.Unlock()
		wg.Wait()
	})
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			c, err := f.bcast.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			vtp.WriteFrame(c, vtp.Authenticate("ivo://fake/broker"))
			if f.iamalive {
				vtp.WriteFrame(c, vtp.IAmAlive("ivo://fake/broker"))
			}
			f.subs = append(f.subs, c)
			f.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if _, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame); err != nil {
						return
					}
					f.mu.Lock()
					f.answers++
					f.mu.Unlock()
				}
			}()
		}
	}()
	go func() {
		defer wg.Done()
		for {
			c, err := f.recv.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				raw, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
				if err != nil {
					return
				}
				f.mu.Lock()
				if !strings.Contains(string(raw), "#t-w") {
					f.measured++
					if f.dropAfter > 0 && f.measured == f.dropAfter+1 && len(f.subs) > 0 {
						f.subs[0].Close()
					}
				}
				for _, s := range f.subs {
					vtp.WriteFrame(s, raw)
				}
				f.mu.Unlock()
				vtp.WriteFrame(c, vtp.Ack("ivo://fake/broker", ""))
			}()
		}
	}()
	return f
}

func testTemplate(t *testing.T) *Template {
	t.Helper()
	tpl, err := NewTemplate([]byte(`<?xml version="1.0"?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" ivorn="ivo://fake/stream#x" version="2.0"><Who/></voe:VOEvent>`), "t")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func (f *fakeBroker) config(t *testing.T, subs, events int) FanoutConfig {
	return FanoutConfig{
		Target:      endpoint.Endpoint{Network: "tcp", Address: f.recv.Addr().String()},
		Subscribe:   endpoint.Endpoint{Network: "tcp", Address: f.bcast.Addr().String()},
		Subscribers: subs, Events: events, Authors: 2, Template: testTemplate(t),
		Timeout: 2 * time.Second, Wait: 2 * time.Second, ConnectTimeout: 2 * time.Second,
	}
}

func TestFanoutCountsEveryDelivery(t *testing.T) {
	f := newFakeBroker(t, 0)
	f.mu.Lock()
	f.iamalive = true
	f.mu.Unlock()
	var progress int
	cfg := f.config(t, 5, 40)
	cfg.Progress = func(sent, delivered int64) { progress++ }
	r, err := Fanout(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Connected != 5 || r.Submitted != 40 || r.Acks != 40 || r.Expected != 200 || r.Delivered != 200 || !r.OK() {
		t.Fatalf("%+v", r)
	}
	if r.EventsLost != 0 || r.EventsIncomplete != 0 || len(r.Drops) != 0 || r.Duplicates != 0 || r.WaitTimedOut {
		t.Fatalf("%+v", r)
	}
	l := r.Latency
	if l.Count != 200 || l.Min <= 0 || l.Min > l.P50 || l.P50 > l.P90 || l.P90 > l.P99 || l.P99 > l.Max {
		t.Fatalf("latencies %+v", l)
	}
	if r.EventsPerSecond <= 0 || r.Elapsed <= 0 {
		t.Fatalf("ingest %+v", r)
	}
	if r.Iamalives != 5 {
		t.Fatalf("iamalives %d", r.Iamalives)
	}
	// Every subscriber answered its authenticate and iamalive and acked the
	// warm-up and the 40 events.
	deadline := time.Now().Add(2 * time.Second)
	for {
		f.mu.Lock()
		n := f.answers
		f.mu.Unlock()
		if n == 5*(2+1+40) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fake broker received %d answers, want %d", n, 5*43)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFanoutPaced(t *testing.T) {
	f := newFakeBroker(t, 0)
	cfg := f.config(t, 2, 20)
	cfg.Rate = 100
	t0 := time.Now()
	r, err := Fanout(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Delivered != 40 {
		t.Fatalf("%+v", r)
	}
	// 20 events at 100/s take about 0.19 s.
	if r.Elapsed < 150*time.Millisecond || time.Since(t0) > 5*time.Second {
		t.Fatalf("a paced run of 20 events at 100/s took %s to submit", r.Elapsed)
	}
}

func TestFanoutReportsALostSubscriber(t *testing.T) {
	f := newFakeBroker(t, 10)
	r, err := Fanout(context.Background(), f.config(t, 3, 30))
	if err != nil {
		t.Fatal(err)
	}
	if r.Delivered >= r.Expected || r.OK() {
		t.Fatalf("a subscriber was cut off after 10 events, yet delivered %d of %d", r.Delivered, r.Expected)
	}
	if len(r.Drops) != 1 || r.Drops[0].Delivered != 10 || !strings.HasPrefix(r.Drops[0].Reason, "the broker ") {
		t.Fatalf("drops %+v", r.Drops)
	}
	if r.Expected != 90 || r.Delivered != 70 || r.MissingToDropped != 20 || r.EventsIncomplete != 20 || r.EventsLost != 0 {
		t.Fatalf("%+v", r)
	}
	// The wait for stragglers ends at once: the subscribers still connected
	// have everything.
	if r.WaitTimedOut {
		t.Fatalf("waited for a subscriber that was gone: %+v", r)
	}
	for _, want := range []string{"20 of 90 deliveries missing", "20 to the 1 subscribers whose connection ended", "after 10 events: the broker "} {
		if !strings.Contains(r.Note, want) {
			t.Errorf("note lacks %q:\n%s", want, r.Note)
		}
	}
}

func TestFanoutWithoutBroadcaster(t *testing.T) {
	f := newFakeBroker(t, 0)
	cfg := f.config(t, 2, 5)
	f.bcast.Close()
	if _, err := Fanout(context.Background(), cfg); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("want an error when no subscriber can connect, got %v", err)
	}
}

func TestFanoutRefusedWarmup(t *testing.T) {
	f := newFakeBroker(t, 0)
	cfg := f.config(t, 1, 5)
	// A receiver that naks everything.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			vtp.ReadFrame(c, vtp.DefaultMaxFrame)
			vtp.WriteFrame(c, vtp.Nak("ivo://fake/broker", "", "Schema validation failed"))
			io.Copy(io.Discard, c)
			c.Close()
		}
	}()
	cfg.Target.Address = l.Addr().String()
	_, err = Fanout(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "Schema validation failed") {
		t.Fatalf("want the nak reason in the error, got %v", err)
	}
}

func TestFanoutInterrupted(t *testing.T) {
	f := newFakeBroker(t, 0)
	cfg := f.config(t, 2, 1000)
	cfg.Rate = 100
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	r, err := Fanout(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(t0) > 3*time.Second || r.Submitted == 0 || r.Submitted >= 1000 || r.Errors != 0 || r.Acks != r.Submitted {
		t.Fatalf("%+v", r)
	}
	if !strings.Contains(r.Note, "interrupted") {
		t.Fatalf("note %q", r.Note)
	}
}
