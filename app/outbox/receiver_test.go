package outbox

import (
	"net"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/vtp"
)

// answer is what the fake receiver does with one submission.
type answer struct {
	nak   string // non-empty: nak with this reason
	close bool   // hang up without answering
	hang  bool   // never answer (the sender times out)
}

var ack = answer{}

// fakeReceiver is a scripted VTP receiver on 127.0.0.1:0: for each
// submission, script says how to answer; it records what it received.
type fakeReceiver struct {
	t      testing.TB
	l      net.Listener
	mu     sync.Mutex
	script func(n int, ivorn string) answer
	got    []string // IVORNs in order of arrival
	acked  []string
	wg     sync.WaitGroup
}

var ivornRx = regexp.MustCompile(`ivorn="([^"]*)"`)

// newFakeReceiver listens on addr ("" for a free port on 127.0.0.1).
func newFakeReceiver(t testing.TB, addr string, script func(n int, ivorn string) answer) *fakeReceiver {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeReceiver{t: t, l: l, script: script}
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.close)
	return f
}

func (f *fakeReceiver) addr() string { return f.l.Addr().String() }

func (f *fakeReceiver) close() {
	f.l.Close()
	f.wg.Wait()
}

func (f *fakeReceiver) serve() {
	defer f.wg.Done()
	for {
		c, err := f.l.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			raw, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
			if err != nil {
				return
			}
			ivorn := ""
			if m := ivornRx.FindSubmatch(raw); m != nil {
				ivorn = string(m[1])
			}
			f.mu.Lock()
			n := len(f.got)
			f.got = append(f.got, ivorn)
			a := ack
			if f.script != nil {
				a = f.script(n, ivorn)
			}
			if a == ack {
				f.acked = append(f.acked, ivorn)
			}
			f.mu.Unlock()
			switch {
			case a.close:
				return
			case a.hang:
				buf := make([]byte, 1)
				c.Read(buf) // until the sender gives up or the deadline
				return
			case a.nak != "":
				vtp.WriteFrame(c, vtp.Nak("ivo://test/fake", ivorn, a.nak))
			default:
				vtp.WriteFrame(c, vtp.Ack("ivo://test/fake", ivorn))
			}
		}()
	}
}

// received returns the IVORNs received so far, and those acked.
func (f *fakeReceiver) received() (got, acked []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...), append([]string(nil), f.acked...)
}
