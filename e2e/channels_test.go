package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/channel"
	"github.com/starling-broker/starling/netcore/vtp"
)

// hookLog is a webhook receiver on 127.0.0.1 that records every message
// it accepted, and when.
type hookLog struct {
	mu     sync.Mutex
	raw    int
	badSig int
	byKey  map[string]channel.Message
	first  map[string]time.Time // trigger → first accepted message
	secret string
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var m channel.Message
	if err := json.Unmarshal(body, &m); err != nil || m.Key == "" || m.Key != r.Header.Get(channel.EventIDHeader) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Header.Get(channel.SignatureHeader) != channel.Sign(h.secret, body) {
		h.badSig++
	}
	h.raw++
	if _, ok := h.byKey[m.Key]; !ok {
		h.byKey[m.Key] = m
		if _, ok := h.first[m.Trigger]; !ok {
			h.first[m.Trigger] = time.Now()
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// updates is how many alerts a message announces ("…: 2 updates, latest …").
var updatesRE = regexp.MustCompile(`: (\d+) updates, latest`)

func updatesOf(m channel.Message) int {
	if s := updatesRE.FindStringSubmatch(m.Body); s != nil {
		n, _ := strconv.Atoi(s[1])
		return n
	}
	return 1
}

// tally is, per trigger, the alerts its distinct live messages announce
// and its distinct retraction messages.
func (h *hookLog) tally() (live, retractions map[string]int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	live, retractions = map[string]int{}, map[string]int{}
	for _, m := range h.byKey {
		if m.Critical {
			retractions[m.Trigger]++
		} else {
			live[m.Trigger] += updatesOf(m)
		}
	}
	return live, retractions
}

// lvkSequence is a real LVK VOEvent sequence (S190518bb's) for the trigger
// id: Preliminary, Initial, Update (the Preliminary retyped) and Retraction.
func lvkSequence(t *testing.T, id string) [][]byte {
	t.Helper()
	pre := bytes.ReplaceAll(readFile(t, filepath.Join("..", "testdata", "voevents", "public", "lvk", "S190518bb-1-Preliminary.xml")), []byte("S190518bb"), []byte(id))
	ret := bytes.ReplaceAll(readFile(t, filepath.Join("..", "testdata", "voevents", "public", "lvk", "S190518bb-2-Retraction.xml")), []byte("S190518bb"), []byte(id))
	retype := func(n int, typ string) []byte {
		b := bytes.Replace(pre, []byte(`value="Preliminary"`), []byte(`value="`+typ+`"`), 1)
		return bytes.Replace(b, []byte(id+"-1-Preliminary"), []byte(fmt.Sprintf("%s-%d-%s", id, n, typ)), 1)
	}
	seq := [][]byte{pre, retype(2, "Initial"), retype(3, "Update"), ret}
	for i, b := range seq[1:3] {
		if bytes.Equal(b, pre) {
			t.Fatalf("alert %d of the sequence is the Preliminary", i+1)
		}
	}
	return seq
}

// submitOnce sends one event over VTP to addr: nil when acked, or refused
// as seen before (it was archived before a kill ate the ack).
func submitOnce(addr string, payload []byte) error {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := vtp.WriteFrame(c, payload); err != nil {
		return err
	}
	raw, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
	if err != nil {
		return err
	}
	m, err := vtp.Parse(raw)
	if err != nil {
		return err
	}
	if m.Role == vtp.RoleAck || strings.Contains(m.Result, "Previously seen") {
		return nil
	}
	return fmt.Errorf("nak: %s", m.Result)
}

// brokerAddr is the running broker's receive address, changed at each restart.
type brokerAddr struct {
	mu   sync.Mutex
	addr string
}

func (b *brokerAddr) get() string  { b.mu.Lock(); defer b.mu.Unlock(); return b.addr }
func (b *brokerAddr) set(a string) { b.mu.Lock(); b.addr = a; b.mu.Unlock() }

// submitUntil sends payload until the broker took it (through its kills).
func submitUntil(t *testing.T, ba *brokerAddr, payload []byte) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := submitOnce(ba.get(), payload)
		if err == nil {
			return
		}
		if strings.HasPrefix(err.Error(), "nak:") || time.Now().After(deadline) {
			t.Errorf("submitting: %v", err)
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// restartSound starts the broker on dir after a kill and waits for the
// archive's check on open, which must find the archive sound: a crash
// never makes the broker refuse alerts as damaged. (The check once ran on
// a pooled connection whose stale FTS5 segment list called a sound archive
// damaged after a kill; store.TestCheckAfterCatchUpIsSound holds the fix.)
func restartSound(t *testing.T, dir string) (*proc, string) {
	t.Helper()
	b, addr := startBroker(t, dir)
	if b.waitLog(`Archive integrity check: (ok)|The archive is damaged`) != "ok" {
		t.Fatalf("the archive is called damaged after a kill -9: %s", findAll(`(problem1=.*)`, b.logText()))
	}
	return b, addr
}

// A real `starling broker` with a webhook channel and rules in its data
// directory: 100 replayed Preliminary → Initial → Update → Retraction
// sequences (real LVK VOEvents, renamed) over VTP while the broker is
// killed with SIGKILL at random moments and restarted. At the receiver,
// every alert is announced exactly once (counting the updates collapsed
// into a message), every retraction exactly once, and no two distinct
// keys announce the same thing; repeats of one key (a kill between the
// server's acceptance and the row's update) are counted and reported.
// Then, with no kills, the latency from submission to the receiver's
// acceptance of a trigger's first message is measured.
func TestChannelsKill9(t *testing.T) {
	n := 100
	if testing.Short() {
		n = 20
	}
	hook := &hookLog{byKey: map[string]channel.Message{}, first: map[string]time.Time{}, secret: "e2e-signing-key"}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(secret, []byte(hook.secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"settings", "channels", "add", "team", "--webhook", srv.URL, "--secret-file", secret, "--per-minute", "100000"},
		{"settings", "rules", "add", "GW to the team", "--test", "--channel", "team"},
		{"settings", "rules", "add", "Retractions to the team", "--retraction", "--channel", "team"},
		{"settings", "set", "channels.collapse_seconds", "60"},
	} {
		if r := run(t, "", nil, append(args, "--data-dir", dir)...); r.code != 0 {
			t.Fatalf("%v: %d %s %s", args, r.code, r.stdout, r.stderr)
		}
	}
	b, addr := startBroker(t, dir)
	ba := &brokerAddr{addr: addr}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("S2612%02d%c%c", i/100, 'a'+i/26%26, 'a'+i%26)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, id := range ids {
			for _, alert := range lvkSequence(t, id) {
				submitUntil(t, ba, alert)
				time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
			}
		}
	}()
	kills := 0
	for stop := false; !stop; {
		select {
		case <-done:
			stop = true
			continue
		case <-time.After(time.Duration(200+rand.IntN(600)) * time.Millisecond):
		}
		b.cmd.Process.Kill() // SIGKILL
		<-b.done
		kills++
		b, addr = restartSound(t, dir)
		ba.set(addr)
	}
	t.Logf("%d sequences submitted through %d kill -9s", n, kills)
	if kills < n/10 {
		t.Errorf("only %d kills: the sequences went too fast for the test to mean much", kills)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		live, retr := hook.tally()
		complete := len(retr) == n
		for _, id := range ids {
			complete = complete && live[id] >= 3
		}
		if complete || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.stop()
	live, retr := hook.tally()
	hook.mu.Lock()
	raw, distinct, badSig := hook.raw, len(hook.byKey), hook.badSig
	hook.mu.Unlock()
	t.Logf("deliveries at the receiver: %d raw, %d distinct keys (%d repeats of a key, absorbed by its dedupe)", raw, distinct, raw-distinct)
	dup := 0
	for _, id := range ids {
		if live[id] != 3 {
			t.Errorf("%s: its distinct live messages announce %d alerts, want 3 (Preliminary, Initial, Update)", id, live[id])
			dup += max(0, live[id]-3)
		}
		if retr[id] != 1 {
			t.Errorf("%s: %d distinct retraction messages, want 1", id, retr[id])
			dup += max(0, retr[id]-1)
		}
	}
	t.Logf("duplicates beyond the keys (an alert announced under two keys): %d", dup)
	if badSig != 0 {
		t.Errorf("%d messages with a bad signature", badSig)
	}
	r := run(t, "", nil, "settings", "channels", "list", "--json", "--data-dir", dir)
	var st struct{ Pending, Failed, Sent int }
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Pending != 0 || st.Failed != 0 {
		t.Errorf("the channel's state after the run: %+v %v (%s)", st, err, r.stdout)
	}

	// Latency, with no kills: a trigger's first message (never held back).
	b, addr = startBroker(t, dir)
	defer b.stop()
	var lat []time.Duration
	for i := range 40 {
		id := fmt.Sprintf("S2612%02dzz%c", 50+i/26, 'a'+i%26)
		t0 := time.Now()
		if err := submitOnce(addr, lvkSequence(t, id)[0]); err != nil {
			t.Fatal(err)
		}
		for {
			hook.mu.Lock()
			at, ok := hook.first[id]
			hook.mu.Unlock()
			if ok {
				lat = append(lat, at.Sub(t0))
				break
			}
			if time.Since(t0) > 20*time.Second {
				t.Fatalf("%s: no message within 20 s", id)
			}
			time.Sleep(time.Millisecond)
		}
	}
	slices.Sort(lat)
	t.Logf("submitted over VTP → accepted by the webhook receiver, %d first messages: p50 %v, p95 %v, max %v",
		len(lat), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*95/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}
