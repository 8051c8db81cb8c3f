package bench

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
)

// startNull serves a null broker on two loopback listeners until the test ends.
func startNull(t *testing.T, gap time.Duration) (recv, bcast endpoint.Endpoint) {
	t.Helper()
	return serveNull(t, NewNullBroker("ivo://starling.test/null"), gap)
}

// serveNull serves nb on two loopback listeners until the test ends.
func serveNull(t *testing.T, nb *NullBroker, gap time.Duration) (recv, bcast endpoint.Endpoint) {
	t.Helper()
	rl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nb.BatchInterval = gap
	done := make(chan error, 2)
	go func() { done <- nb.ServeReceive(rl) }()
	go func() { done <- nb.ServeBroadcast(bl) }()
	t.Cleanup(func() {
		rl.Close()
		bl.Close()
		nb.Close()
		for range 2 {
			if err := <-done; !errors.Is(err, net.ErrClosed) {
				t.Errorf("serve returned %v", err)
			}
		}
	})
	return endpoint.Endpoint{Network: "tcp", Address: rl.Addr().String()},
		endpoint.Endpoint{Network: "tcp", Address: bl.Addr().String()}
}

func TestNullBrokerAcksAndRelays(t *testing.T) {
	for _, gap := range []time.Duration{0, 5 * time.Millisecond} {
		recv, bcast := startNull(t, gap)
		r, err := Fanout(context.Background(), FanoutConfig{
			Target: recv, Subscribe: bcast, Subscribers: 4, Events: 60, Authors: 3,
			Template: testTemplate(t), Timeout: 2 * time.Second, Wait: 2 * time.Second, ConnectTimeout: 2 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Connected != 4 || r.Acks != 60 || r.Naks != 0 || r.Errors != 0 || r.Delivered != 240 || r.Duplicates != 0 || !r.OK() {
			t.Fatalf("gap %v: %+v", gap, r)
		}
		// The submit benchmark checks that each ack names the event sent.
		s := Submit(context.Background(), SubmitConfig{Target: recv, Template: testTemplate(t), Concurrency: 2, Events: 30, Timeout: 2 * time.Second})
		if s.Acks != 30 || s.Errors != 0 || s.Naks != 0 {
			t.Fatalf("submit: %+v", s)
		}
	}
}

func TestQuickIVORN(t *testing.T) {
	for in, want := range map[string]string{
		`<VOEvent role="test" ivorn="ivo://a/b#c" version="2.0">`: "ivo://a/b#c",
		`<VOEvent ivorn='ivo://a/b#d'>`:                           "ivo://a/b#d",
		`<VOEvent ivorn=ivo://a>`:                                 "",
		`<VOEvent ivorn="unterminated`:                            "",
		`<VOEvent role="test">`:                                   "",
		`ivorn=`:                                                  "",
	} {
		if got := quickIVORN([]byte(in)); got != want {
			t.Errorf("quickIVORN(%q) = %q, want %q", in, got, want)
		}
	}
}

// The durable null broker acks an event only once its bytes are in the
// journal: every acked event's bytes are in the file, concurrent submissions
// share fsyncs, and a journal that cannot be written gets no ack.
func TestNullBrokerJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal")
	nb := NewNullBroker("ivo://starling.test/null")
	if err := nb.Journal(path); err != nil {
		t.Fatal(err)
	}
	recv, _ := serveNull(t, nb, 0)
	tpl := testTemplate(t)
	s := Submit(context.Background(), SubmitConfig{Target: recv, Template: tpl, Concurrency: 8, Events: 200, Timeout: 5 * time.Second})
	if s.Acks != 200 || s.Errors != 0 || s.Naks != 0 {
		t.Fatalf("submit: %+v", s)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("<voe:VOEvent")) + bytes.Count(data, []byte("<VOEvent")); n != 200 {
		t.Fatalf("the journal holds %d events, want 200 (%d bytes)", n, len(data))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal mode: %v %v", fi.Mode(), err)
	}

	// A journal whose file is gone refuses: the author gets no ack.
	nb.journal.f.Close()
	s = Submit(context.Background(), SubmitConfig{Target: recv, Template: tpl, Concurrency: 1, Events: 1, Timeout: 2 * time.Second})
	if s.Acks != 0 || s.Errors != 1 {
		t.Fatalf("submit to a broken journal: %+v", s)
	}
}
