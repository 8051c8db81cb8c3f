package outbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/store"
)

// TestDeliverInOrder sends two destinations' queues in parallel, each in id order.
func TestDeliverInOrder(t *testing.T) {
	st := openStore(t, t.TempDir())
	a := newFakeReceiver(t, "", nil)
	b := newFakeReceiver(t, "", nil)
	w := newWorker(t, st, fast)
	itemsA, itemsB := events("a", 20), events("b", 20)
	enqueue(t, w, a.addr(), itemsA)
	enqueue(t, w, b.addr(), itemsB)
	w.Start()
	waitFor(t, "every entry sent", 10*time.Second, func() bool { return counts(t, st).Sent == 40 })
	for _, c := range []struct {
		r     *fakeReceiver
		items []Item
	}{{a, itemsA}, {b, itemsB}} {
		got, _ := c.r.received()
		var want []string
		for _, it := range c.items {
			want = append(want, "ivo://test.org/outbox#"+strings.TrimSuffix(it.Name, ".xml"))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s received %v, want %v", c.r.addr(), got, want)
		}
	}
	for _, d := range w.Destinations() {
		if d.Queued != 0 || !d.Online {
			t.Errorf("destination %+v after draining", d)
		}
	}
}

// TestNakClasses checks what each kind of nak does to an entry.
func TestNakClasses(t *testing.T) {
	st := openStore(t, t.TempDir())
	var mu sync.Mutex
	stored := false
	r := newFakeReceiver(t, "", func(n int, ivorn string) answer {
		switch {
		case strings.HasSuffix(ivorn, "seen"):
			return answer{nak: "Event rejected: Previously seen by this broker"}
		case strings.HasSuffix(ivorn, "schema"):
			return answer{nak: "Event rejected: Schema validation failed: line 3: Element 'Bogus': This element is not expected."}
		case strings.HasSuffix(ivorn, "odd"):
			return answer{nak: "computer says no"}
		case strings.HasSuffix(ivorn, "disk"):
			mu.Lock()
			defer mu.Unlock()
			if !stored {
				stored = true
				return answer{nak: "Event rejected: Event could not be stored by this broker (database or disk is full); try again later"}
			}
		}
		return ack
	})
	w := newWorker(t, st, fast)
	var items []Item
	for _, s := range []string{"seen", "schema", "odd", "disk", "fine"} {
		items = append(items, Item{Name: s, Raw: event("ivo://test.org/naks#" + s)})
	}
	ids := enqueue(t, w, r.addr(), items)
	w.Start()
	waitFor(t, "the queue to drain", 10*time.Second, func() bool { c := counts(t, st); return c.Waiting() == 0 })
	want := []struct {
		state    store.State
		attempts int
		reason   string
	}{
		{store.StateRefused, 1, "Previously seen"},
		{store.StateRefused, 1, "Schema validation failed"},
		{store.StateRefused, 1, "computer says no"},
		{store.StateSent, 2, "could not be stored"}, // the last reason stays from the retry... or is cleared
		{store.StateSent, 1, ""},
	}
	for i, id := range ids {
		e := entry(t, st, id)
		if e.State != want[i].state || e.Attempts != want[i].attempts {
			t.Errorf("%s: %s after %d attempts (%q), want %s after %d", items[i].Name, e.State, e.Attempts, e.LastError, want[i].state, want[i].attempts)
		}
		if e.State == store.StateRefused && !strings.Contains(e.LastError, want[i].reason) {
			t.Errorf("%s: reason %q, want %q", items[i].Name, e.LastError, want[i].reason)
		}
	}
	got, _ := r.received()
	if len(got) != 6 {
		t.Errorf("receiver got %d submissions, want 6 (one retry): %v", len(got), got)
	}
}

// TestTransientFailures checks that a timeout and an unexpected close are
// retried with backoff, and that the attempt limit gives up.
func TestTransientFailures(t *testing.T) {
	st := openStore(t, t.TempDir())
	r := newFakeReceiver(t, "", func(n int, ivorn string) answer {
		switch n {
		case 0:
			return answer{hang: true}
		case 1:
			return answer{close: true}
		}
		return ack
	})
	w := New(context.Background(), st, Options{Policy: Policy{BackoffBase: 10 * time.Millisecond, BackoffCap: 20 * time.Millisecond}, Timeout: 200 * time.Millisecond, Checker: checker(t), Rescan: 50 * time.Millisecond})
	defer w.Stop(context.Background())
	ids := enqueue(t, w, r.addr(), events("t", 2))
	w.Start()
	waitFor(t, "both sent", 10*time.Second, func() bool { return counts(t, st).Sent == 2 })
	if e := entry(t, st, ids[0]); e.Attempts != 3 {
		t.Errorf("first entry took %d attempts, want 3 (timeout, close, ack)", e.Attempts)
	}
	got, _ := r.received()
	if len(got) != 4 || got[0] != got[1] || got[1] != got[2] {
		t.Errorf("received %v: the first entry must be retried before the second is sent", got)
	}
}

// TestGiveUp checks that an entry fails after the attempt limit.
func TestGiveUp(t *testing.T) {
	st := openStore(t, t.TempDir())
	p := fast
	p.MaxAttempts = 3
	w := newWorker(t, st, p)
	ids := enqueue(t, w, freeAddr(t), events("g", 2))
	w.Start()
	waitFor(t, "both failed", 10*time.Second, func() bool { return counts(t, st).Failed == 2 })
	e := entry(t, st, ids[0])
	if e.Attempts != 3 || !strings.Contains(e.LastError, "gave up after 3 attempts") || !strings.Contains(e.LastError, "connection refused") {
		t.Errorf("entry after giving up: %d attempts, %q", e.Attempts, e.LastError)
	}
}

// TestBackoffAndRecovery checks that attempts to an absent broker back off
// exponentially, and that the queue drains by itself once it listens.
func TestBackoffAndRecovery(t *testing.T) {
	st := openStore(t, t.TempDir())
	addr := freeAddr(t)
	p := Policy{BackoffBase: 40 * time.Millisecond, BackoffCap: 160 * time.Millisecond, Jitter: -1}
	w := newWorker(t, st, p)
	var mu sync.Mutex
	var tries []time.Time
	w.Subscribe(func() {
		mu.Lock()
		defer mu.Unlock()
		if ds := w.Destinations(); len(ds) == 1 && ds[0].Sending {
			tries = append(tries, time.Now())
		}
	})
	ids := enqueue(t, w, addr, events("r", 5))
	w.Start()
	waitFor(t, "five attempts", 10*time.Second, func() bool {
		e := entry(t, st, ids[0])
		return e.Attempts >= 5 && e.State == store.StateQueued
	})
	if e := entry(t, st, ids[0]); !strings.Contains(e.LastError, "connection refused") {
		t.Fatalf("head entry: %s, %q", e.State, e.LastError)
	}
	if e2 := entry(t, st, ids[1]); e2.Attempts != 0 {
		t.Fatalf("the second entry was tried (%d attempts) while the first waits", e2.Attempts)
	}
	ds := w.Destinations()
	if len(ds) != 1 || ds[0].Online || ds[0].Queued != 5 || ds[0].LastError == "" {
		t.Fatalf("destinations while down: %+v", ds)
	}
	mu.Lock()
	gaps := make([]time.Duration, 0, len(tries))
	for i := 1; i < len(tries); i++ {
		gaps = append(gaps, tries[i].Sub(tries[i-1]))
	}
	mu.Unlock()
	// Waits of 40, 80, 160, 160 ms: each at least its backoff.
	for i, g := range gaps[:min(4, len(gaps))] {
		want := min(p.BackoffBase<<i, p.BackoffCap)
		if g < want-5*time.Millisecond {
			t.Errorf("gap %d was %v, want at least %v (gaps %v)", i, g, want, gaps)
		}
	}
	r := newFakeReceiver(t, addr, nil)
	waitFor(t, "the queue to drain without a kick", 10*time.Second, func() bool { return counts(t, st).Sent == 5 })
	got, _ := r.received()
	if len(got) != 5 {
		t.Errorf("receiver got %v", got)
	}
}

// TestKick checks that "retry now" tries at once, whatever the backoff.
func TestKick(t *testing.T) {
	st := openStore(t, t.TempDir())
	addr := freeAddr(t)
	w := newWorker(t, st, Policy{BackoffBase: time.Hour, BackoffCap: time.Hour, Jitter: -1})
	ids := enqueue(t, w, addr, events("k", 3))
	w.Start()
	waitFor(t, "a failed attempt", 10*time.Second, func() bool {
		return entry(t, st, ids[0]).Attempts == 1 && entry(t, st, ids[0]).State == store.StateQueued
	})
	if e := entry(t, st, ids[0]); time.Until(e.NextAttempt) < 50*time.Minute {
		t.Fatalf("next attempt %v, want in an hour", e.NextAttempt)
	}
	newFakeReceiver(t, addr, nil)
	time.Sleep(100 * time.Millisecond)
	if c := counts(t, st); c.Sent != 0 {
		t.Fatalf("sent before the kick: %+v", c)
	}
	w.Kick()
	waitFor(t, "the queue to drain after a kick", 5*time.Second, func() bool { return counts(t, st).Sent == 3 })

	// Retry of one entry is a kick too.
	addr2 := freeAddr(t)
	ids = enqueue(t, w, addr2, events("k2", 1))
	waitFor(t, "a failed attempt", 10*time.Second, func() bool {
		return entry(t, st, ids[0]).Attempts == 1 && entry(t, st, ids[0]).State == store.StateQueued
	})
	newFakeReceiver(t, addr2, nil)
	if err := w.Retry(context.Background(), ids[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried entry sent", 5*time.Second, func() bool { return entry(t, st, ids[0]).State == store.StateSent })
}

// TestRecoverAfterCrash simulates a process killed while sending: the entry
// left in "sending" is sent again, and the broker's "previously seen" for it
// counts as delivered.
func TestRecoverAfterCrash(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	r := newFakeReceiver(t, "", func(n int, ivorn string) answer {
		if strings.HasSuffix(ivorn, "c000") { // it got through before the crash
			return answer{nak: "Event rejected: Previously seen by this broker"}
		}
		return ack
	})
	dead := New(context.Background(), st, Options{Checker: checker(t)})
	ids := enqueue(t, dead, r.addr(), events("c", 3))
	ctx := context.Background()
	if err := st.MarkSending(ctx, ids[0]); err != nil { // then kill -9
		t.Fatal(err)
	}
	w := newWorker(t, st, fast)
	w.Start()
	waitFor(t, "all sent", 10*time.Second, func() bool { return counts(t, st).Sent == 3 })
	e := entry(t, st, ids[0])
	if e.Attempts != 2 || !strings.Contains(e.LastError, "earlier attempt") {
		t.Errorf("recovered entry: %d attempts, note %q", e.Attempts, e.LastError)
	}
	if c := counts(t, st); c.Sending != 0 || c.Refused != 0 {
		t.Errorf("counts %+v", c)
	}
}

// TestStopAbortsAttempt checks that Stop gives up on a hung attempt and puts
// its entry back in the queue.
func TestStopAbortsAttempt(t *testing.T) {
	st := openStore(t, t.TempDir())
	r := newFakeReceiver(t, "", func(int, string) answer { return answer{hang: true} })
	w := New(context.Background(), st, Options{Policy: fast, Timeout: time.Minute, Checker: checker(t)})
	ids := enqueue(t, w, r.addr(), events("s", 1))
	w.Start()
	waitFor(t, "the attempt to start", 5*time.Second, func() bool { got, _ := r.received(); return len(got) == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := w.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Stop took %v", d)
	}
	e := entry(t, st, ids[0])
	if e.State != store.StateQueued || e.LastError != reasonInterrupted || time.Until(e.NextAttempt) > 0 {
		t.Errorf("aborted entry: %+v", e)
	}
}

// TestFlush checks that Flush drains what it can and reports what it cannot
// without waiting for backoffs.
func TestFlush(t *testing.T) {
	st := openStore(t, t.TempDir())
	r := newFakeReceiver(t, "", func(n int, ivorn string) answer {
		if strings.HasSuffix(ivorn, "f002") {
			return answer{nak: "Event rejected: Schema validation failed"}
		}
		return ack
	})
	down := freeAddr(t)
	w := newWorker(t, st, Policy{BackoffBase: time.Hour, BackoffCap: time.Hour})
	enqueue(t, w, r.addr(), events("f", 10))
	enqueue(t, w, down, events("d", 4))
	if err := w.Flush(context.Background(), nil); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("Flush before Start: %v", err)
	}
	w.Start()
	var last Counts
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := w.Flush(ctx, func(c Counts) { last = c })
	var ue *UndeliveredError
	if !errors.As(err, &ue) || ue.Waiting != 4 || ue.Refused != 1 || ue.Failed != 0 || len(ue.Reasons) != 1 || !strings.Contains(ue.Reasons[0], down) {
		t.Fatalf("Flush: %v (%+v)", err, ue)
	}
	if last.Sent != 9 || last.Refused != 1 || last.Queued != 4 {
		t.Errorf("last progress %+v", last)
	}
	// A second flush tries the hour-long backoff at once, and fails again.
	tried := entry(t, st, 11).Attempts
	err = w.Flush(ctx, nil)
	if !errors.As(err, &ue) || ue.Waiting != 4 || ue.Refused != 0 {
		t.Fatalf("second Flush: %v", err)
	}
	if e := entry(t, st, 11); e.Attempts != tried+1 {
		t.Errorf("the unreachable head was tried %d times, want %d", e.Attempts, tried+1)
	}
	newFakeReceiver(t, down, nil)
	if err := w.Flush(ctx, nil); err != nil {
		t.Fatalf("Flush once the broker is up: %v", err)
	}
	if c := counts(t, st); c.Sent != 13 || c.Waiting() != 0 {
		t.Errorf("counts %+v", c)
	}
}

// TestEnqueueChecks checks that bad items are refused with their reason and
// the good ones are queued.
func TestEnqueueChecks(t *testing.T) {
	st := openStore(t, t.TempDir())
	w := newWorker(t, st, fast)
	good := event("ivo://test.org/q#1")
	items := []Item{
		{"good.xml", good},
		{"empty.xml", nil},
		{"notxml.xml", []byte("hello")},
		{"schema.xml", []byte(strings.Replace(string(event("ivo://test.org/q#2")), "<What>", "<Bogus/><What>", 1))},
		{"badivorn.xml", event("not an ivorn")},
		{"twice.xml", good},
		{"other.xml", event("ivo://test.org/q#3")},
	}
	res := w.Enqueue(context.Background(), "127.0.0.1:9", items)
	wantOK := map[string]bool{"good.xml": true, "other.xml": true}
	for _, r := range res {
		if wantOK[r.Name] != (r.Err == nil && r.ID > 0) {
			t.Errorf("%s: id %d, err %v", r.Name, r.ID, r.Err)
		}
	}
	if !strings.Contains(res[3].Reason(), "line ") || !strings.Contains(res[3].Err.Error(), "Bogus") {
		t.Errorf("schema failure without line: %+v", res[3])
	}
	if !strings.Contains(res[5].Err.Error(), "good.xml") {
		t.Errorf("duplicate in batch: %v", res[5].Err)
	}
	again := w.Enqueue(context.Background(), "127.0.0.1:9", []Item{{"good-again.xml", good}})
	if again[0].Err == nil || !strings.Contains(again[0].Err.Error(), "already queued") {
		t.Errorf("queued twice: %+v", again[0])
	}
	bad := w.Enqueue(context.Background(), "", []Item{{"good.xml", good}})
	if bad[0].Err == nil || !strings.Contains(bad[0].Err.Error(), "destination") {
		t.Errorf("empty destination: %+v", bad[0])
	}
	list, _ := st.ListOutbox(context.Background(), "", 0)
	if len(list) != 2 || list[0].Destination != "127.0.0.1:9" {
		t.Errorf("outbox holds %+v", list)
	}
	for in, want := range map[string]string{"example.org": "example.org:8098", "[::1]": "[::1]:8098", "h:99": "h:99", "bad:port:x": "", "h:http": ""} {
		if d, _ := Destination(in); d != want {
			t.Errorf("Destination(%s) = %q, want %q", in, d, want)
		}
	}
}

// TestOperations checks cancel, delete and retry of entries.
func TestOperations(t *testing.T) {
	st := openStore(t, t.TempDir())
	w := newWorker(t, st, fast)
	ctx := context.Background()
	ids := enqueue(t, w, freeAddr(t), events("o", 3))
	if err := w.Cancel(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := w.Cancel(ctx, ids[1]); err == nil {
		t.Error("cancelled twice")
	}
	if err := w.Delete(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	if err := w.Delete(ctx, ids[2]); err == nil || !strings.Contains(err.Error(), "no outbox entry") {
		t.Errorf("deleted twice: %v", err)
	}
	if err := w.Retry(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if e := entry(t, st, ids[1]); e.State != store.StateQueued {
		t.Errorf("retried cancelled entry is %s", e.State)
	}
	if err := w.Retry(ctx, 999); err == nil {
		t.Error("retried a missing entry")
	}
	if n, err := w.RetryAll(ctx); err != nil || n != 2 {
		t.Errorf("RetryAll: %d, %v", n, err)
	}
}
