package outbox

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/store"
)

// BenchmarkEnqueue1000 checks (schema included) and queues 1,000 events in
// one batch, as `starling outbox add` does with 1,000 files.
func BenchmarkEnqueue1000(b *testing.B) {
	st, err := store.Open(context.Background(), b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	w := New(context.Background(), st, Options{Checker: checker(b)})
	batches := make([][]Item, b.N)
	for i := range batches {
		batches[i] = events(fmt.Sprintf("b%d-", i), 1000)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range w.Enqueue(context.Background(), "127.0.0.1:9", batches[i]) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000-events")
}

// BenchmarkDrain measures the worker's delivery rate to a receiver that acks
// at once (the outbox's own cost: store round trips and one connection per event).
func BenchmarkDrain(b *testing.B) {
	st, err := store.Open(context.Background(), b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := newFakeReceiver(b, "", nil)
	w := New(context.Background(), st, Options{Checker: checker(b), Rescan: time.Hour})
	items := events("drain", b.N)
	for _, res := range w.Enqueue(context.Background(), r.addr(), items) {
		if res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.ResetTimer()
	w.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := w.Flush(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	w.Stop(context.Background())
}
