package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/channel"
)

// hookReceiver is a real webhook receiver on 127.0.0.1: it records every
// POST it accepted, and answers what status says.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []channel.Message // accepted, in order
	at     []time.Time       // when each was accepted
	tries  int               // every POST
	status func(try int) int
	secret string
	badSig int
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	h := &hookReceiver{secret: secret, status: func(int) int { return 200 }}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.tries++
		if r.Header.Get(channel.SignatureHeader) != channel.Sign(h.secret, body) {
			h.badSig++
		}
		st := h.status(h.tries)
		if st/100 == 2 {
			var m channel.Message
			if err := json.Unmarshal(body, &m); err != nil || m.Key != r.Header.Get(channel.EventIDHeader) {
				st = 400
			} else {
				h.got = append(h.got, m)
				h.at = append(h.at, time.Now())
			}
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(h.Close)
	return h
}

// messages returns what was accepted so far.
func (h *hookReceiver) messages() []channel.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]channel.Message(nil), h.got...)
}

// openChannels opens a core on dir with a webhook channel "hook" to h and
// rules sending LVK alerts (tests too) and retractions to it; the caller
// closes it.
func openChannels(t *testing.T, dir string, h *hookReceiver, perMinute float64) *Core {
	t.Helper()
	c, err := Open(context.Background(), Options{DataDir: dir, RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Channels().Save(channel.Config{Name: "hook", Kind: channel.Webhook, URL: h.URL, PerMinute: perMinute}, h.secret); err != nil {
		t.Fatal(err)
	}
	if err := c.Settings().SaveRules(NotifyConfig{Rules: []NotifyRule{
		{Name: "GW", Type: "LVK", IncludeTest: true, Channels: []string{"hook"}},
		{Name: "Retractions", Retraction: true, Channels: []string{"hook"}},
	}}); err != nil {
		t.Fatal(err)
	}
	return c
}

// channelState is the state of the channel "hook".
func channelState(t *testing.T, c *Core) ChannelState {
	t.Helper()
	sts, err := c.Channels().States()
	if err != nil || len(sts) != 1 {
		t.Fatalf("states %+v, %v", sts, err)
	}
	return sts[0]
}

// A matching alert becomes one row, delivered once, signed, with a stable
// key; a restart sends nothing again; the secret is a 0600 file.
func TestChannelDeliversOnce(t *testing.T) {
	dir := t.TempDir()
	h := newHookReceiver(t, "s3cret")
	c := openChannels(t, dir, h, 0)
	fi, err := os.Stat(filepath.Join(dir, "secrets", "channel-hook"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", fi, err)
	}
	archive(t, c, readSample(t, "lvk-userguide/MS181101ab-preliminary.json"), "igwn.gwalert")
	waitUntil(t, "the Preliminary's message", func() bool { return len(h.messages()) == 1 })
	m := h.messages()[0]
	if m.Trigger != "MS181101ab" || m.Rule != "GW" || !strings.Contains(m.Title, "MS181101ab Preliminary") || len(m.Alert) == 0 || m.Critical {
		t.Errorf("message %+v", m)
	}
	waitUntil(t, "the row sent", func() bool { return channelState(t, c).Sent == 1 })
	ds, err := c.store.Deliveries(context.Background(), "hook")
	if err != nil || len(ds) != 1 || ds[0].Key != m.Key || ds[0].State != "sent" {
		t.Fatalf("rows %+v, %v", ds, err)
	}
	waitUntil(t, "the state", func() bool { st := channelState(t, c); return st.Sent == 1 && st.Pending == 0 })
	if st := channelState(t, c); !st.SecretSet || st.LastError != "" || st.LastSent.IsZero() {
		t.Errorf("state %+v", st)
	}
	c.Close(context.Background())

	// After a restart: nothing again; the next alert goes.
	c, err = Open(context.Background(), Options{DataDir: dir, RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	archive(t, c, readSample(t, "lvk-gocart/MS230425k-preliminary.json"), "igwn.gwalert")
	waitUntil(t, "the sentinel's message", func() bool { return len(h.messages()) >= 2 })
	got := h.messages()
	if len(got) != 2 || got[1].Trigger != "MS230425k" || got[0].Key == got[1].Key {
		t.Fatalf("after a restart: %+v", got)
	}
	if h.badSig != 0 {
		t.Errorf("%d bad signatures", h.badSig)
	}
}

// A trigger's Initial and Update within the collapse window become one
// message saying so; the retraction, arriving meanwhile, is sent after it
// at once.
func TestChannelCollapse(t *testing.T) {
	h := newHookReceiver(t, "")
	c := openChannels(t, t.TempDir(), h, 0)
	defer c.Close(context.Background())
	if c.Channels().Collapse() != DefaultCollapse {
		t.Fatalf("collapse %v", c.Channels().Collapse())
	}
	prelim := readSample(t, "lvk-gocart/MS230425k-preliminary.json")
	initial := readSample(t, "lvk-gocart/MS230425k-initial.json")
	update := bytes.Replace(initial, []byte(`"alert_type": "INITIAL"`), []byte(`"alert_type": "UPDATE"`), 1)
	update = bytes.Replace(update, []byte(`"MS230425k-3-Initial"`), []byte(`"MS230425k-4-Update"`), 1)
	archive(t, c, prelim, "igwn.gwalert")
	waitUntil(t, "the Preliminary", func() bool { return len(h.messages()) == 1 })
	archive(t, c, initial, "igwn.gwalert")
	archive(t, c, update, "igwn.gwalert")
	// Held for the window: the Update collapses into the Initial's row.
	waitUntil(t, "the collapsed row", func() bool {
		ds, _ := c.store.Deliveries(context.Background(), "hook")
		return len(ds) == 2 && ds[1].Updates == 2
	})
	if n := len(h.messages()); n != 1 {
		t.Fatalf("%d messages before the window ends", n)
	}
	archive(t, c, readSample(t, "lvk-gocart/MS230425k-retraction.json"), "igwn.gwalert")
	waitUntil(t, "three messages", func() bool { return len(h.messages()) == 3 })
	got := h.messages()
	if !strings.Contains(got[1].Body, "MS230425k: 2 updates, latest") || got[1].Critical {
		t.Errorf("collapsed message: %+v", got[1])
	}
	if !got[2].Critical || !strings.Contains(got[2].Body, "RETRACTED") || got[2].Rule != "Retractions" {
		t.Errorf("retraction: %+v", got[2])
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(h.messages()); n != 3 {
		t.Errorf("%d messages", n)
	}
}

// A channel told of a trigger is told of its retraction even when no rule
// for retractions names it; a trigger it was never told of is not
// announced by its retraction.
func TestChannelRetractionAlwaysSent(t *testing.T) {
	h := newHookReceiver(t, "")
	c := openChannels(t, t.TempDir(), h, 0)
	defer c.Close(context.Background())
	if err := c.Settings().SaveRules(NotifyConfig{Rules: []NotifyRule{
		{Name: "GW", Type: "LVK", IncludeTest: true, Channels: []string{"hook"}},
	}}); err != nil {
		t.Fatal(err)
	}
	archive(t, c, readSample(t, "lvk-gocart/MS230425k-preliminary.json"), "igwn.gwalert")
	waitUntil(t, "the Preliminary", func() bool { return len(h.messages()) == 1 })
	archive(t, c, readSample(t, "lvk-gocart/MS230425k-retraction.json"), "igwn.gwalert")
	waitUntil(t, "the retraction", func() bool { return len(h.messages()) == 2 })
	got := h.messages()[1]
	if !got.Critical || !strings.Contains(got.Body, "RETRACTED") || got.Rule != RetractionRuleName || got.Trigger != "MS230425k" {
		t.Errorf("retraction: %+v", got)
	}
	// No retraction of a trigger the channel never heard of: the rule asks
	// for a FAR, which a lone retraction does not carry; the sentinel, a
	// Preliminary with a FAR, is dispatched after it (archive order).
	if err := c.Settings().SaveRules(NotifyConfig{Rules: []NotifyRule{
		{Name: "GW with a FAR", Type: "LVK", IncludeTest: true, FARYears: 0.001, Channels: []string{"hook"}},
	}}); err != nil {
		t.Fatal(err)
	}
	retraction := bytes.ReplaceAll(readSample(t, "lvk-gocart/MS230425k-retraction.json"), []byte("MS230425k"), []byte("MS230425z"))
	archive(t, c, retraction, "igwn.gwalert")
	archive(t, c, readSample(t, "lvk-userguide/MS181101ab-preliminary.json"), "igwn.gwalert")
	waitUntil(t, "the sentinel", func() bool { return len(h.messages()) >= 3 })
	if got := h.messages(); len(got) != 3 || got[2].Trigger != "MS181101ab" {
		t.Errorf("a retraction of an unannounced trigger was sent: %+v", got[2:])
	}
}

// A receiver that is down is tried again with backoff, the state says why,
// and the message arrives once with the same key.
func TestChannelRetries(t *testing.T) {
	old := channelBackoffMin
	channelBackoffMin = 100 * time.Millisecond
	t.Cleanup(func() { channelBackoffMin = old })
	h := newHookReceiver(t, "k")
	h.status = func(try int) int {
		if try <= 2 {
			return http.StatusServiceUnavailable
		}
		return 200
	}
	c := openChannels(t, t.TempDir(), h, 0)
	defer c.Close(context.Background())
	var seen sync.Map
	cancel := c.Watch(func(ch Change) {
		if ch.Kind&ChangeChannels != 0 {
			seen.Store("changed", true)
		}
	})
	defer cancel()
	archive(t, c, readSample(t, "lvk-userguide/MS181101ab-preliminary.json"), "igwn.gwalert")
	waitUntil(t, "the error in the state", func() bool {
		return strings.Contains(channelState(t, c).LastError, "Service Unavailable")
	})
	waitUntil(t, "the delivery", func() bool { return len(h.messages()) == 1 && channelState(t, c).Sent == 1 })
	ds, _ := c.store.Deliveries(context.Background(), "hook")
	if len(ds) != 1 || ds[0].Attempts != 3 || ds[0].State != "sent" || h.tries != 3 {
		t.Fatalf("rows %+v after %d tries", ds, h.tries)
	}
	if st := channelState(t, c); st.LastError != "" || st.Sent != 1 {
		t.Errorf("state after the delivery: %+v", st)
	}
	if _, ok := seen.Load("changed"); !ok {
		t.Error("no ChangeChannels told")
	}
}

// A permanent refusal fails the row at once, with its reason in the
// state; a test of the channel, once fixed, sends it again.
func TestChannelPermanentFailure(t *testing.T) {
	h := newHookReceiver(t, "")
	var fixed bool
	h.status = func(int) int {
		if fixed {
			return 200
		}
		return http.StatusNotFound
	}
	c := openChannels(t, t.TempDir(), h, 0)
	defer c.Close(context.Background())
	archive(t, c, readSample(t, "lvk-userguide/MS181101ab-preliminary.json"), "igwn.gwalert")
	waitUntil(t, "the failure", func() bool { st := channelState(t, c); return st.Failed == 1 })
	if st := channelState(t, c); !strings.Contains(st.LastError, "Not Found") || st.Pending != 0 {
		t.Fatalf("state %+v", st)
	}
	if err := c.Channels().Test(context.Background(), "hook"); err == nil || !strings.Contains(err.Error(), "Not Found") {
		t.Fatalf("test of a refusing channel: %v", err)
	}
	h.mu.Lock()
	fixed = true
	h.mu.Unlock()
	if err := c.Channels().Test(context.Background(), "hook"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the failed row, sent again", func() bool { return len(h.messages()) == 2 })
	if got := h.messages(); got[0].Rule != "test" || got[1].Trigger != "MS181101ab" {
		t.Errorf("messages %+v", got)
	}
}

// The rate limit holds messages back: at 6 a minute (a burst of one), the
// second of three waits.
func TestChannelRateLimit(t *testing.T) {
	h := newHookReceiver(t, "")
	c := openChannels(t, t.TempDir(), h, 6)
	defer c.Close(context.Background())
	for _, s := range []string{"lvk-userguide/MS181101ab-preliminary.json", "lvk-gocart/MS230425k-preliminary.json", "lvk-gocart/S230528ay-preliminary.json"} {
		archive(t, c, readSample(t, s), "igwn.gwalert")
	}
	waitUntil(t, "the first", func() bool { return len(h.messages()) == 1 })
	waitUntil(t, "three rows", func() bool { return channelState(t, c).Pending == 2 })
	time.Sleep(time.Second)
	if n := len(h.messages()); n != 1 {
		t.Fatalf("%d messages sent within a second at 6 a minute", n)
	}
	if st := channelState(t, c); st.Pending != 2 {
		t.Fatalf("state %+v", st)
	}
}

// Channel names and configs are checked; remove deletes the secret and rows.
func TestChannelSaveRemove(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for _, bad := range []channel.Config{
		{Name: "../x", Kind: channel.Webhook, URL: "http://127.0.0.1:1/"},
		{Name: "ok", Kind: channel.Webhook, URL: "http://example.org/"},
		{Name: "ok", Kind: "pager"},
	} {
		if err := c.Channels().Save(bad, ""); err == nil {
			t.Errorf("saved %+v", bad)
		}
	}
	if err := c.Channels().Save(channel.Config{Name: "w", Kind: channel.Webhook, URL: "http://127.0.0.1:1/"}, "key"); err != nil {
		t.Fatal(err)
	}
	// Saved again without a secret: the secret stays.
	if err := c.Channels().Save(channel.Config{Name: "w", Kind: channel.Webhook, URL: "http://127.0.0.1:2/"}, ""); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.readSecretFile(secretName("w")); s != "key" {
		t.Errorf("secret after an edit: %q", s)
	}
	if l, _ := c.Channels().List(); len(l) != 1 || l[0].URL != "http://127.0.0.1:2/" {
		t.Errorf("list %+v", l)
	}
	if err := c.Channels().Remove("w"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.secretFile(secretName("w"))); !os.IsNotExist(err) {
		t.Errorf("secret left: %v", err)
	}
	if err := c.Channels().Remove("w"); err == nil {
		t.Error("removed twice")
	}
}

// A server's Retry-After is honoured: the next attempt waits at least that
// long, though the backoff alone would retry sooner.
func TestChannelRetryAfter(t *testing.T) {
	old := channelBackoffMin
	channelBackoffMin = 50 * time.Millisecond
	t.Cleanup(func() { channelBackoffMin = old })
	h := newHookReceiver(t, "")
	var first time.Time
	h.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.tries++
		try := h.tries
		if try == 1 {
			first = time.Now()
		}
		h.mu.Unlock()
		if try == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	c := openChannels(t, t.TempDir(), h, 0)
	defer c.Close(context.Background())
	archive(t, c, readSample(t, "lvk-userguide/MS181101ab-preliminary.json"), "igwn.gwalert")
	waitUntil(t, "the first refusal", func() bool {
		ds, _ := c.store.Deliveries(context.Background(), "hook")
		return len(ds) == 1 && ds[0].LastError != ""
	})
	ds, _ := c.store.Deliveries(context.Background(), "hook")
	h.mu.Lock()
	f := first
	h.mu.Unlock()
	if wait := ds[0].NextAttempt.Sub(f); wait < 1900*time.Millisecond {
		t.Errorf("next attempt %v after the refusal, want Retry-After's 2 s", wait)
	}
	waitUntil(t, "the delivery", func() bool { return channelState(t, c).Sent == 1 })
}

// TestChannelLatency logs the figure of issue 20's first aim: a Kafka
// record (real LVK alerts with a 1 MB sky map, through the Kafka handler
// and its durable archive) → accepted by the channel's server on loopback,
// for a trigger's first message. A report, not a speed assertion.
func TestChannelLatency(t *testing.T) {
	h := newHookReceiver(t, "k")
	c := openChannels(t, t.TempDir(), h, 100000)
	defer c.Close(context.Background())
	tmpl := string(readSample(t, "lvk-userguide/MS181101ab-preliminary.json"))
	var lat []time.Duration
	for i := range 30 {
		t0 := time.Now()
		archive(t, c, skymapAlert(tmpl, i), "igwn.gwalert")
		waitUntil(t, "the message", func() bool { return len(h.messages()) == i+1 })
		h.mu.Lock()
		lat = append(lat, h.at[i].Sub(t0))
		h.mu.Unlock()
	}
	slices.Sort(lat)
	t.Logf("Kafka record (1 MB LVK alert) → accepted by the webhook receiver, %d first messages: p50 %v, p95 %v, max %v",
		len(lat), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*95/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}
