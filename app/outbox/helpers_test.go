package outbox

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/assets"
	"github.com/starling-broker/starling/netcore/voevent"
)

var (
	schemaOnce sync.Once
	schema     *voevent.Schema
	schemaErr  error
)

// checker is a schema-validating checker shared by the tests.
func checker(t testing.TB) *voevent.Checker {
	schemaOnce.Do(func() { schema, schemaErr = voevent.LoadSchema() })
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return &voevent.Checker{Schema: schema}
}

// event is the sample test event with its IVORN changed to ivorn.
func event(ivorn string) []byte {
	return bytes.Replace(assets.SampleTestEvent, []byte(`ivorn="ivo://hotwired.org/gaia_demo#1"`), []byte(`ivorn="`+ivorn+`"`), 1)
}

// events returns n items with IVORNs ivo://test.org/outbox#<prefix><i>.
func events(prefix string, n int) []Item {
	items := make([]Item, n)
	for i := range items {
		name := fmt.Sprintf("%s%03d", prefix, i)
		items[i] = Item{Name: name + ".xml", Raw: event("ivo://test.org/outbox#" + name)}
	}
	return items
}

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dir, store.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fast is a policy for tests: short waits, no jitter.
var fast = Policy{BackoffBase: 20 * time.Millisecond, BackoffCap: 100 * time.Millisecond, Jitter: -1}

func newWorker(t testing.TB, st *store.Store, p Policy) *Worker {
	t.Helper()
	if p.Jitter < 0 {
		p.Jitter = 0
	}
	w := New(context.Background(), st, Options{Policy: p, Timeout: 2 * time.Second, Checker: checker(t), Rescan: 50 * time.Millisecond})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		w.Stop(ctx)
	})
	return w
}

// enqueue queues items and fails the test if any is refused.
func enqueue(t testing.TB, w *Worker, dest string, items []Item) []int64 {
	t.Helper()
	var ids []int64
	for _, r := range w.Enqueue(context.Background(), dest, items) {
		if r.Err != nil {
			t.Fatalf("%s not queued: %v", r.Name, r.Err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func entry(t testing.TB, st *store.Store, id int64) store.OutboxEntry {
	t.Helper()
	e, err := st.GetOutbox(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func counts(t testing.TB, st *store.Store) Counts {
	t.Helper()
	m, err := st.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return CountsOf(m)
}

// freeAddr returns a loopback address with nobody listening.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
