package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/kafka"
)

// The live feed with real parts: a Core on a SQLite file in a temporary
// directory, its local broker's own commit path (the one the Kafka
// consumers call, which tells the change feed), a server on a loopback
// socket and a plain HTTP client.

const streamWait = 20 * time.Second

// testCore opens a Core in a temporary directory and starts its local
// broker with a receiver on a fresh loopback port.
func testCore(t testing.TB) (*app.Core, *app.LocalBroker) {
	t.Helper()
	c, err := app.Open(context.Background(), app.Options{DataDir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	lb, err := c.Brokers().Start(app.BrokerConfig{LocalIVO: "ivo://starling.test/api",
		Receive: []endpoint.Endpoint{{Network: "tcp", Address: "127.0.0.1:0"}}, NoReplay: true})
	if err != nil {
		c.Close(context.Background())
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), streamWait)
		defer cancel()
		c.Brokers().Stop(ctx)
		c.Close(ctx)
	})
	return c, lb
}

// serve serves h on a fresh loopback port until the test ends; cancelling
// the returned context ends every request, as a server shutdown does.
func serve(t testing.TB, h http.Handler) (base string, shutdown context.CancelFunc) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &http.Server{Handler: h, BaseContext: func(net.Listener) context.Context { return ctx }}
	go srv.Serve(ln)
	t.Cleanup(func() { cancel(); srv.Close() })
	return "http://" + ln.Addr().String(), cancel
}

// feed archives raw as a record read from topic, through the broker's
// Kafka path and its after-commit step.
func feed(t testing.TB, lb *app.LocalBroker, topic string, raw []byte) {
	t.Helper()
	o, after, err := lb.KafkaHandler().Handle(context.Background(), &kafka.Record{Topic: topic, Value: raw, Time: time.Now()})
	if err != nil || o != kafka.Stored {
		t.Fatalf("record not stored: %v %v", o, err)
	}
	if after != nil {
		after()
	}
}

const epTopic = "gcn.notices.einstein_probe.wxt.alert"

// epAlert is an Einstein Probe WXT notice (the GCN schema's example) with
// trigger id n at ra, dec.
func epAlert(n int, ra, dec float64) []byte {
	return fmt.Appendf(nil, `{"instrument":"WXT","trigger_time":"2024-03-01T21:46:05.13Z","id":["%011d"],"ra":%g,"dec":%g,"ra_dec_error":0.02}`, n, ra, dec)
}

// heartbeat is a gcn.heartbeat record (liveness, no alert).
func heartbeat(n int) []byte {
	return fmt.Appendf(nil, `{"alert_datetime":"2026-12-06T12:00:%02d.%06dZ"}`, n/1000000%60, n%1000000)
}

// sseEvent is one event of the stream as a client reads it.
type sseEvent struct {
	ID, Name string
	Data     app.EventJSON
	At       time.Time
}

// sseClient reads a stream: its events, and its comment lines.
type sseClient struct {
	resp     *http.Response
	events   chan sseEvent
	comments chan string
	done     chan error
	cancel   context.CancelFunc
}

// dial opens a stream at url, with Last-Event-ID when lastID is not "".
func dial(t testing.TB, url, lastID string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("stream answered %s %q: %s", resp.Status, resp.Header.Get("Content-Type"), b)
	}
	s := &sseClient{resp: resp, events: make(chan sseEvent, 10000), comments: make(chan string, 100), done: make(chan error, 1), cancel: cancel}
	go s.read()
	t.Cleanup(s.close)
	return s
}

func (s *sseClient) close() { s.cancel(); s.resp.Body.Close() }

// read parses the stream as the EventSource algorithm does (fields up to
// a blank line), the data of an alert as JSON.
func (s *sseClient) read() {
	sc := bufio.NewScanner(s.resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var ev sseEvent
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if len(data) > 0 {
				ev.At = time.Now()
				if err := json.Unmarshal([]byte(strings.Join(data, "\n")), &ev.Data); err != nil {
					s.done <- fmt.Errorf("event %s: %v", ev.ID, err)
					return
				}
				s.events <- ev
			}
			ev, data = sseEvent{}, nil
		case strings.HasPrefix(line, ":"):
			select {
			case s.comments <- strings.TrimSpace(line[1:]):
			default:
			}
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				ev.ID = value
			case "event":
				ev.Name = value
			case "data":
				data = append(data, value)
			}
		}
	}
	s.done <- sc.Err()
}

// next waits for the next event.
func (s *sseClient) next(t testing.TB) sseEvent {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case err := <-s.done:
		t.Fatalf("stream ended: %v", err)
	case <-time.After(streamWait):
		t.Fatal("no event")
	}
	return sseEvent{}
}

// archivedIDs is every alert's archive id after id, oldest first, as the
// archive holds them (heartbeats are no alerts), tests and mocks aside as
// the stream leaves them by default.
func archivedIDs(t testing.TB, c *app.Core, after int64) []int64 {
	t.Helper()
	rows, err := c.Archive().Events(context.Background(), app.EventQuery{AfterID: after, Asc: true, Limit: 100000, HideTest: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// waitWatchers waits until the core has n watchers.
func waitWatchers(t testing.TB, c *app.Core, n int) {
	t.Helper()
	deadline := time.Now().Add(streamWait)
	for c.Watchers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d watchers, want %d", c.Watchers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A client that resumes from an id is sent every alert archived after
// it, then the live ones, in order, each once, across the switch from the
// archive's backlog to the live alerts; heartbeats are never sent.
func TestStreamResumesWithoutGapOrDuplicate(t *testing.T) {
	c, lb := testCore(t)
	base, _ := serve(t, StreamHandler(c))
	for i := range 40 {
		feed(t, lb, epTopic, epAlert(i, 10, 20))
		feed(t, lb, "gcn.heartbeat", heartbeat(i))
	}
	all := archivedIDs(t, c, 0)
	if len(all) != 40 {
		t.Fatalf("%d alerts archived, want 40", len(all))
	}
	resume := all[9]

	// Alerts keep arriving while the client connects and reads the backlog.
	var wg sync.WaitGroup
	wg.Add(1)
	start := make(chan struct{})
	go func() {
		defer wg.Done()
		<-start
		for i := 40; i < 140; i++ {
			feed(t, lb, epTopic, epAlert(i, 10, 20))
			feed(t, lb, "gcn.heartbeat", heartbeat(i))
		}
	}()
	watchers := c.Watchers()
	close(start)
	s := dial(t, base+"/apiv1/stream", strconv.FormatInt(resume, 10))
	wg.Wait()
	want := archivedIDs(t, c, resume)
	if len(want) != 130 {
		t.Fatalf("%d alerts after the resume point, want 130", len(want))
	}
	var got []int64
	for range want {
		ev := s.next(t)
		id, err := strconv.ParseInt(ev.ID, 10, 64)
		if err != nil || ev.Name != "alert" || ev.Data.ID != id {
			t.Fatalf("event id %q name %q data id %d", ev.ID, ev.Name, ev.Data.ID)
		}
		if ev.Data.Kind != "json" || ev.Data.Source == "" || ev.Data.RA == nil || *ev.Data.RA != 10 {
			t.Errorf("event %d data %+v", id, ev.Data)
		}
		got = append(got, id)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ids %v\nwant %v", got, want)
	}
	// Nothing more: no duplicate, no heartbeat.
	feed(t, lb, "gcn.heartbeat", heartbeat(1000))
	feed(t, lb, epTopic, epAlert(1000, 10, 20))
	last := archivedIDs(t, c, want[len(want)-1])
	if ev := s.next(t); len(last) != 1 || ev.ID != strconv.FormatInt(last[0], 10) {
		t.Fatalf("after the backlog: event %s, want %v", ev.ID, last)
	}

	// The client goes: its watcher goes with it.
	if c.Watchers() != watchers+1 {
		t.Errorf("%d watchers with a client, want %d", c.Watchers(), watchers+1)
	}
	s.close()
	waitWatchers(t, c, watchers)
}

// Without an id the stream starts with the next alert archived; ?since=
// resumes as Last-Event-ID does; filters select by source and type.
func TestStreamLiveSinceAndFilters(t *testing.T) {
	c, lb := testCore(t)
	base, _ := serve(t, StreamHandler(c))
	for i := range 5 {
		feed(t, lb, epTopic, epAlert(i, 10, 20))
	}
	watchers := c.Watchers()
	live := dial(t, base+"/apiv1/stream", "")
	waitWatchers(t, c, watchers+1)
	other := dial(t, base+"/apiv1/stream?source=nothing-like-this", "")
	beats := dial(t, base+"/apiv1/stream?source=heartbeat", "")
	feed(t, lb, "gcn.heartbeat", heartbeat(1))
	feed(t, lb, epTopic, epAlert(5, 10, 20))
	ids := archivedIDs(t, c, 0)
	if ev := live.next(t); ev.ID != strconv.FormatInt(ids[5], 10) {
		t.Fatalf("live stream began with %s, want %d", ev.ID, ids[5])
	}
	since := dial(t, base+"/apiv1/stream?since="+strconv.FormatInt(ids[2], 10)+"&source=einstein", "")
	for _, want := range ids[3:] {
		if ev := since.next(t); ev.ID != strconv.FormatInt(want, 10) {
			t.Fatalf("since: %s, want %d", ev.ID, want)
		}
	}
	// A mock superevent's alert is a test: only test=1 sends it, and
	// type= selects it from the others.
	tests := dial(t, base+"/apiv1/stream?test=1&type=Preliminary", "")
	mock, err := os.ReadFile("../../testdata/notices/lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	feed(t, lb, "igwn.gwalert", mock)
	feed(t, lb, epTopic, epAlert(6, 10, 20))
	ids = archivedIDs(t, c, 0) // the mock is a test: not among them
	if ev := live.next(t); ev.ID != strconv.FormatInt(ids[6], 10) {
		t.Fatalf("live stream sent %s (%+v), want %d", ev.ID, ev.Data, ids[6])
	}
	if ev := tests.next(t); !ev.Data.Test || ev.Data.Trigger == nil || *ev.Data.Trigger != "MS181101ab" {
		t.Fatalf("test=1&type=Preliminary sent %+v", ev.Data)
	}
	select {
	case ev := <-other.events:
		t.Fatalf("a filtered stream sent %s", ev.ID)
	case ev := <-tests.events:
		t.Fatalf("test=1&type=Preliminary sent %+v", ev.Data)
	case ev := <-beats.events:
		t.Fatalf("source=heartbeat sent a heartbeat: %+v", ev.Data)
	case <-time.After(200 * time.Millisecond):
	}
}

// Bad requests are refused in words.
func TestStreamBadRequest(t *testing.T) {
	c, _ := testCore(t)
	base, _ := serve(t, StreamHandler(c))
	for _, q := range []string{"?since=abc", "?since=-1", "?test=maybe"} {
		resp, err := http.Get(base + "/apiv1/stream" + q)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || len(b) == 0 {
			t.Errorf("%s: %s %q", q, resp.Status, b)
		}
	}
	resp, err := http.Post(base+"/apiv1/stream", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", resp.Status)
	}
}

// A quiet stream writes a keepalive comment; the server's shutdown (its
// base context) ends every stream and frees its watcher.
func TestStreamKeepaliveAndShutdown(t *testing.T) {
	c, _ := testCore(t)
	base, shutdown := serve(t, streamHandler(c, 50*time.Millisecond))
	watchers := c.Watchers()
	s := dial(t, base+"/apiv1/stream", "")
	deadline := time.After(streamWait)
	for got := ""; got != "keepalive"; {
		select {
		case got = <-s.comments:
		case <-deadline:
			t.Fatal("no keepalive")
		}
	}
	waitWatchers(t, c, watchers+1)
	shutdown()
	select {
	case <-s.done:
	case <-time.After(streamWait):
		t.Fatal("the stream outlived the server's context")
	}
	waitWatchers(t, c, watchers)
}

// TestStreamLatency measures archived → event received by a client over
// a few hundred alerts, each archived after the one before was received
// and a pause (a live feed, not a backlog), and logs the percentiles.
func TestStreamLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("a few hundred alerts")
	}
	c, lb := testCore(t)
	base, _ := serve(t, StreamHandler(c))
	watchers := c.Watchers()
	s := dial(t, base+"/apiv1/stream", "")
	waitWatchers(t, c, watchers+1)
	const n = 300
	// From the record's arrival (before the commit) and from the commit
	// (the broker's handler returned: the alert is archived).
	arrived, archived := make([]time.Duration, 0, n), make([]time.Duration, 0, n)
	for i := range n {
		t0 := time.Now()
		o, after, err := lb.KafkaHandler().Handle(context.Background(), &kafka.Record{Topic: epTopic, Value: epAlert(i, 10, 20), Time: t0})
		t1 := time.Now()
		if err != nil || o != kafka.Stored {
			t.Fatalf("record not stored: %v %v", o, err)
		}
		if after != nil {
			after()
		}
		ev := s.next(t)
		arrived, archived = append(arrived, ev.At.Sub(t0)), append(archived, ev.At.Sub(t1))
		time.Sleep(2 * time.Millisecond)
	}
	// A burst: the alerts archived back to back while the client reads,
	// timed from their arrival (an alert may reach the client before its
	// own Handle returns, woken by the one before).
	burst := make([]time.Time, n)
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		for i := range n {
			burst[i] = time.Now()
			o, after, err := lb.KafkaHandler().Handle(context.Background(), &kafka.Record{Topic: epTopic, Value: epAlert(n+i, 10, 20), Time: burst[i]})
			if err != nil || o != kafka.Stored {
				t.Errorf("record not stored: %v %v", o, err)
				return
			}
			if after != nil {
				after()
			}
		}
	}()
	got := make([]time.Time, n)
	for i := range n {
		got[i] = s.next(t).At
	}
	<-fed
	inBurst := make([]time.Duration, n)
	for i := range n {
		inBurst[i] = got[i].Sub(burst[i])
	}
	for _, m := range []struct {
		from string
		lat  []time.Duration
	}{{"record arrived", arrived}, {"archived", archived}, {"record arrived in a burst", inBurst}} {
		slices.Sort(m.lat)
		p := func(q float64) time.Duration { return m.lat[min(len(m.lat)-1, int(q*float64(len(m.lat))))] }
		t.Logf("%s → event received, %d alerts: p50 %v, p95 %v, p99 %v, max %v", m.from, n, p(0.50), p(0.95), p(0.99), m.lat[len(m.lat)-1])
	}
}
