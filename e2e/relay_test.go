package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/vtp"
)

// rawSub is a subscriber written with raw frames: it answers authenticate
// (with filters) and, unless told not to, iamalive, acks every event and
// keeps what it received.
type rawSub struct {
	t       *testing.T
	c       net.Conn
	mu      sync.Mutex
	events  [][]byte
	at      []time.Time // when each event arrived
	closed  chan struct{}
	silent  bool // never answers iamalive
	oldForm bool // sends filters as Meta/filter[@type="xpath"]
	noAuth  bool // never answers authenticate, as pygcn
}

func dialSub(t *testing.T, addr string, filters []string, opts ...func(*rawSub)) *rawSub {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := &rawSub{t: t, c: c, closed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	t.Cleanup(func() { c.Close() })
	go s.run(filters)
	return s
}

func (s *rawSub) run(filters []string) {
	defer close(s.closed)
	br := bufio.NewReader(s.c)
	for {
		raw, err := vtp.ReadFrame(br, vtp.DefaultMaxFrame)
		if err != nil {
			return
		}
		if m, err := vtp.Parse(raw); err == nil {
			switch {
			case m.Role == vtp.RoleAuthenticate && s.noAuth:
			case m.Role == vtp.RoleAuthenticate && s.oldForm:
				var b strings.Builder
				for _, f := range filters {
					b.WriteString(`<filter type="xpath">` + f + `</filter>`)
				}
				vtp.WriteFrame(s.c, []byte(`<trn:Transport xmlns:trn="http://www.telescope-networks.org/xml/Transport/v1.1" role="authenticate" version="1.0"><Origin>`+m.Origin+`</Origin><TimeStamp>2026-01-01T00:00:00Z</TimeStamp><Meta>`+b.String()+`</Meta></trn:Transport>`))
			case m.Role == vtp.RoleAuthenticate:
				vtp.WriteFrame(s.c, vtp.AuthenticateResponse("ivo://e2e/sub", m.Origin, filters))
			case m.Role == vtp.RoleIAmAlive && !s.silent:
				vtp.WriteFrame(s.c, vtp.IAmAliveResponse("ivo://e2e/sub", m.Origin))
			}
			continue
		}
		s.mu.Lock()
		s.events = append(s.events, raw)
		s.at = append(s.at, time.Now())
		s.mu.Unlock()
		vtp.WriteFrame(s.c, vtp.Ack("ivo://e2e/sub", ""))
	}
}

func (s *rawSub) got() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.events...)
}

// count returns how many received events contain needle.
func (s *rawSub) count(needle string) int {
	n := 0
	for _, e := range s.got() {
		if bytes.Contains(e, []byte(needle)) {
			n++
		}
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// startRelay runs a broker that receives and broadcasts on the given ports.
func startRelay(t *testing.T, name string, data string, recv, bcast int, extra ...string) *proc {
	t.Helper()
	args := append([]string{"broker", "--local-ivo=ivo://e2e/" + name,
		fmt.Sprintf("--receive=tcp:%d:interface=127.0.0.1", recv),
		fmt.Sprintf("--broadcast=tcp:%d:interface=127.0.0.1", bcast),
		"--data-dir", data, "--iamalive-interval", "1"}, extra...)
	p := start(t, args...)
	p.waitLog(fmt.Sprintf(`Broadcasting events on 127\.0\.0\.1:%d`, bcast))
	p.waitLog(fmt.Sprintf(`Receiving events on 127\.0\.0\.1:%d`, recv))
	return p
}

func addr(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBroadcastToSubscribersWithFilters: two subscribers get an event byte
// for byte; filters, new and old form, choose who gets what.
func TestBroadcastToSubscribersWithFilters(t *testing.T) {
	ports := porttest.Free(t, 2)
	b := startRelay(t, "b", t.TempDir(), ports[0], ports[1], "--broadcast-test-interval", "0")
	all1 := dialSub(t, addr(ports[1]), nil)
	all2 := dialSub(t, addr(ports[1]), nil)
	hotwired := dialSub(t, addr(ports[1]), []string{"//Who/AuthorIVORN[contains(., 'hotwired')]"})
	grb := dialSub(t, addr(ports[1]), []string{"//Param[@name='Packet_Type' and @value='61']"})
	grbOld := dialSub(t, addr(ports[1]), []string{"//Param[@name='Packet_Type' and @value='61']"}, func(s *rawSub) { s.oldForm = true })
	bad := dialSub(t, addr(ports[1]), []string{"//Param[@name="}) // invalid: logged and ignored
	waitFor(t, "six subscribers", func() bool { return strings.Count(b.logText(), "New subscriber at") == 6 })
	b.waitLog(`Installing filter|not valid XPath|invalid`)

	gaia := readFile(t, "testdata/voevent.xml")
	swift := readFile(t, "testdata/swift_bat.xml")
	for _, ev := range [][]byte{gaia, swift} {
		if m := submit(t, addr(ports[0]), ev); m.Role != vtp.RoleAck {
			t.Fatalf("submission refused: %s", m.Result)
		}
	}
	waitFor(t, "both events at the unfiltered subscribers", func() bool {
		return len(all1.got()) == 2 && len(all2.got()) == 2 && len(bad.got()) == 2
	})
	if !bytes.Equal(all1.got()[0], gaia) || !bytes.Equal(all2.got()[1], swift) {
		t.Fatal("the broadcast bytes differ from the submitted bytes")
	}
	waitFor(t, "filtered deliveries", func() bool {
		return hotwired.count("gaia_demo#1") == 1 && grb.count("BAT_GRB_Pos_532871-729") == 1 && grbOld.count("BAT_GRB_Pos_532871-729") == 1
	})
	time.Sleep(300 * time.Millisecond) // anything wrongly sent would have arrived by now
	if len(hotwired.got()) != 1 || len(grb.got()) != 1 || len(grbOld.got()) != 1 {
		t.Fatalf("filters let through too much: %d, %d, %d", len(hotwired.got()), len(grb.got()), len(grbOld.got()))
	}
}

// TestBroadcastTestEventsAndDrops: test events every second; a subscriber
// that stops answering iamalive is dropped, a good one stays.
func TestBroadcastTestEventsAndDrops(t *testing.T) {
	ports := porttest.Free(t, 2)
	b := startRelay(t, "test", t.TempDir(), ports[0], ports[1], "--broadcast-test-interval", "1")
	good := dialSub(t, addr(ports[1]), nil)
	silent := dialSub(t, addr(ports[1]), nil, func(s *rawSub) { s.silent = true })
	waitFor(t, "test events", func() bool { return good.count(`role="test"`) >= 2 && good.count("ivo://e2e/test#TestEvent-") >= 2 })
	select {
	case <-silent.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the broker kept a subscriber that never answered iamalive")
	}
	b.waitLog(`Peer appears to be dead|missed`)
	before := len(good.got())
	if m := submit(t, addr(ports[0]), readFile(t, "testdata/voevent.xml")); m.Role != vtp.RoleAck {
		t.Fatal(m.Result)
	}
	waitFor(t, "the good subscriber to keep receiving", func() bool { return len(good.got()) > before && good.count("gaia_demo#1") == 1 })
	select {
	case <-good.closed:
		t.Fatal("the well-behaved subscriber was dropped")
	default:
	}
}

// TestBroadcastWhitelist refuses a subscriber from 127.0.0.2.
func TestBroadcastWhitelist(t *testing.T) {
	ports := porttest.Free(t, 2)
	b := startRelay(t, "wl", t.TempDir(), ports[0], ports[1], "--broadcast-whitelist", "127.0.0.1/32")
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr(ports[1]))
	if err != nil {
		t.Skipf("cannot bind 127.0.0.2 here: %v", err)
	}
	defer c.Close()
	expectClosed(t, c, 5*time.Second)
	b.waitLog(`Attempted subscription from non-whitelisted 127\.0\.0\.2`)
	ok := dialSub(t, addr(ports[1]), nil)
	b.waitLog(`New subscriber at 127\.0\.0\.1:`)
	if m := submit(t, addr(ports[0]), readFile(t, "testdata/voevent.xml")); m.Role != vtp.RoleAck {
		t.Fatal(m.Result)
	}
	waitFor(t, "the whitelisted subscriber's event", func() bool { return len(ok.got()) == 1 })
}

// TestUpstreamRestart: a subscribing broker comes back after its upstream is
// killed and restarted, and gets the next event.
func TestUpstreamRestart(t *testing.T) {
	ports := porttest.Free(t, 4)
	dataA := t.TempDir()
	a := startRelay(t, "a", dataA, ports[0], ports[1], "--broadcast-test-interval", "0")
	b := startRelay(t, "b", t.TempDir(), ports[2], ports[3], "--broadcast-test-interval", "0", "--subscribe", addr(ports[1]))
	sub := dialSub(t, addr(ports[3]), nil)
	waitFor(t, "B to subscribe to A", func() bool { return strings.Contains(a.logText(), "New subscriber at") })
	gaia := readFile(t, "testdata/voevent.xml")
	submit(t, addr(ports[0]), gaia)
	waitFor(t, "the event through B", func() bool { return sub.count("gaia_demo#1") == 1 })

	a.cmd.Process.Kill()
	<-a.done
	a = startRelay(t, "a", dataA, ports[0], ports[1], "--broadcast-test-interval", "0")
	waitFor(t, "B to reconnect to A", func() bool { return strings.Contains(a.logText(), "New subscriber at") })
	if m := submit(t, addr(ports[0]), readFile(t, "testdata/example.xml")); m.Role != vtp.RoleAck {
		t.Fatal(m.Result)
	}
	waitFor(t, "the next event through B", func() bool { return sub.count("exciting_events#123") == 1 })
	_ = b
}

// TestRingOfThreeBrokers: A←C, B←A, C←B; one event reaches each broker's
// subscriber exactly once and does not loop.
func TestRingOfThreeBrokers(t *testing.T) {
	p := porttest.Free(t, 6)
	recv := map[string]int{"a": p[0], "b": p[2], "c": p[4]}
	bc := map[string]int{"a": p[1], "b": p[3], "c": p[5]}
	upstream := map[string]string{"a": "c", "b": "a", "c": "b"}
	procs := map[string]*proc{}
	for _, n := range []string{"a", "b", "c"} {
		procs[n] = startRelay(t, n, t.TempDir(), recv[n], bc[n], "--broadcast-test-interval", "0", "--subscribe", addr(bc[upstream[n]]))
	}
	subs := map[string]*rawSub{}
	for _, n := range []string{"a", "b", "c"} {
		subs[n] = dialSub(t, addr(bc[n]), nil)
	}
	for _, n := range []string{"a", "b", "c"} {
		waitFor(t, "every broker to have two subscribers", func() bool { return strings.Count(procs[n].logText(), "New subscriber at") >= 2 })
	}
	if m := submit(t, addr(recv["a"]), readFile(t, "testdata/voevent.xml")); m.Role != vtp.RoleAck {
		t.Fatal(m.Result)
	}
	for _, n := range []string{"a", "b", "c"} {
		waitFor(t, "the event at "+n, func() bool { return subs[n].count("gaia_demo#1") == 1 })
	}
	// It comes back to A from C, and A refuses it as previously seen.
	waitFor(t, "A to refuse the event coming round", func() bool {
		return strings.Contains(procs["a"].logText(), "Previously seen") || strings.Contains(procs["a"].logText(), "duplicate")
	})
	time.Sleep(2 * time.Second)
	for _, n := range []string{"a", "b", "c"} {
		if c := subs[n].count("gaia_demo#1"); c != 1 {
			t.Errorf("the subscriber of %s got the event %d times", n, c)
		}
	}
}

// TestHandlers: --cmd gets the event on stdin, --save-event writes it under
// Comet's file name, --print-event prints it.
func TestHandlers(t *testing.T) {
	ports := porttest.Free(t, 2)
	out := t.TempDir()
	saved := t.TempDir()
	script := filepath.Join(t.TempDir(), "handler.sh")
	os.WriteFile(script, []byte("#!/bin/sh\ncat > \""+out+"/$$.xml\"\n"), 0o755)
	cmd := exec.Command(starlingBin, "broker", "--local-ivo=ivo://e2e/h",
		fmt.Sprintf("--receive=tcp:%d:interface=127.0.0.1", ports[0]), "--data-dir", t.TempDir(),
		"--cmd", script, "--save-event", "--save-event-directory", saved, "--print-event")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	gaia := readFile(t, "testdata/voevent.xml")
	waitFor(t, "the broker to listen", func() bool {
		c, err := net.Dial("tcp", addr(ports[0]))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	if m := submit(t, addr(ports[0]), gaia); m.Role != vtp.RoleAck {
		t.Fatal(m.Result)
	}
	waitFor(t, "the --cmd output", func() bool {
		files, _ := filepath.Glob(filepath.Join(out, "*.xml"))
		return len(files) == 1 && bytes.Equal(readFile(t, files[0]), gaia)
	})
	waitFor(t, "the saved event", func() bool {
		b, err := os.ReadFile(filepath.Join(saved, "ivo__hotwired.org_gaia_demo1"))
		return err == nil && bytes.Equal(b, gaia)
	})
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if !strings.Contains(stdout.String(), `ivorn="ivo://hotwired.org/gaia_demo#1"`) {
		t.Fatalf("--print-event printed %q", stdout.String())
	}
}
