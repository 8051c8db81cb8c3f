package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/vtp"
)

// fakeBroker is a minimal VTP broker for tests: its receiver acks each event
// and forwards it to every connected subscriber; dropAfter > 0 closes the
// first subscriber after that many events.
type fakeBroker struct {
	recv, bcast net.Listener
	mu          sync.Mutex
	subs        []net.Conn
	sent        int
	dropAfter   int
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
	t.Cleanup(func() {
		f.recv.Close()
		f.bcast.Close()
		f.mu.Lock()
		for _, c := range f.subs {
			c.Close()
		}
		f.mu.Unlock()
	})
	go func() {
		for {
			c, err := f.bcast.Accept()
			if err != nil {
				return
			}
			vtp.WriteFrame(c, vtp.Authenticate("ivo://fake/broker"))
			go io.Copy(io.Discard, c) // acks and answers
			f.mu.Lock()
			f.subs = append(f.subs, c)
			f.mu.Unlock()
		}
	}()
	go func() {
		for {
			c, err := f.recv.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				raw, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
				if err != nil {
					return
				}
				f.mu.Lock()
				f.sent++
				if f.dropAfter > 0 && f.sent == f.dropAfter+1 && len(f.subs) > 0 {
					f.subs[0].Close()
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

func (f *fakeBroker) config(t *testing.T, subs, events int) FanoutConfig {
	tpl, err := NewTemplate([]byte(`<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" ivorn="ivo://fake/stream#x" version="2.0"/>`), "t")
	if err != nil {
		t.Fatal(err)
	}
	return FanoutConfig{
		Target:      endpoint.Endpoint{Network: "tcp", Address: f.recv.Addr().String()},
		Subscribe:   endpoint.Endpoint{Network: "tcp", Address: f.bcast.Addr().String()},
		Subscribers: subs, Events: events, Authors: 2, Template: tpl, Timeout: 2 * time.Second,
	}
}

func TestFanoutCountsEveryDelivery(t *testing.T) {
	f := newFakeBroker(t, 0)
	r, err := Fanout(context.Background(), f.config(t, 5, 40))
	if err != nil {
		t.Fatal(err)
	}
	if r.Connected != 5 || r.Acks != 40 || r.Expected != 200 || r.Delivered != 200 {
		t.Fatalf("%+v", r)
	}
	l := r.Latency
	if l.Count != 200 || l.P50 <= 0 || l.P50 > l.P99 || l.P99 > l.Max {
		t.Fatalf("latencies %+v", l)
	}
}

func TestFanoutReportsALostSubscriber(t *testing.T) {
	f := newFakeBroker(t, 10)
	r, err := Fanout(context.Background(), f.config(t, 3, 30))
	if err != nil {
		t.Fatal(err)
	}
	if r.Delivered >= r.Expected {
		t.Fatalf("a subscriber was cut off after 10 events, yet delivered %d of %d", r.Delivered, r.Expected)
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
