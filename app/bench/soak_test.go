package bench

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestSoakReportsIntervals(t *testing.T) {
	f := newFakeBroker(t, 0)
	fc := f.config(t, 3, 0)
	var mu sync.Mutex
	var ivs []SoakInterval
	cfg := SoakConfig{
		Target: fc.Target, Subscribe: fc.Subscribe, Template: fc.Template, Subscribers: 3, Authors: 2,
		Rate: 100, Duration: time.Second, ReportEvery: 250 * time.Millisecond,
		Timeout: 2 * time.Second, Wait: 2 * time.Second, ConnectTimeout: 2 * time.Second,
		OnInterval: func(iv SoakInterval) {
			mu.Lock()
			ivs = append(ivs, iv)
			mu.Unlock()
		},
	}
	t0 := time.Now()
	r, err := Soak(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took > 5*time.Second {
		t.Fatalf("a 1 s soak took %s", took)
	}
	// 100 events/s for 1 s: events 1..100 are due at 0 .. 0.99 s.
	if r.Submitted != 100 || r.Acks != 100 || r.Expected != 300 || r.Delivered != 300 || !r.OK() {
		t.Fatalf("%+v", r.FanoutResult)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ivs) < 3 || len(ivs) > 5 {
		t.Fatalf("%d interval reports in 1 s at 250 ms: %+v", len(ivs), ivs)
	}
	var prev SoakInterval
	for i, iv := range ivs {
		if iv.Elapsed <= prev.Elapsed || iv.Submitted < prev.Submitted || iv.Acks < prev.Acks || iv.Delivered < prev.Delivered {
			t.Fatalf("report %d goes backwards: %+v after %+v", i, iv, prev)
		}
		if iv.Acks > 0 && (iv.IngestPerSecond <= 0 || iv.Latency.Count == 0 || iv.Latency.P50 > iv.Latency.P99 || iv.Latency.P99 > iv.Latency.Max) {
			t.Fatalf("report %d: %+v", i, iv)
		}
		if iv.Behind {
			t.Fatalf("report %d: behind at 100 events/s: %+v", i, iv)
		}
		prev = iv
	}
	if r.Behind {
		t.Fatalf("behind at 100 events/s: %+v", r.FanoutResult)
	}
}

func TestSoakNeedsRateAndDuration(t *testing.T) {
	if _, err := Soak(context.Background(), SoakConfig{Rate: 0, Duration: time.Second}); err == nil {
		t.Fatal("a soak without a rate must be refused")
	}
	if _, err := Soak(context.Background(), SoakConfig{Rate: 10}); err == nil {
		t.Fatal("a soak without a duration must be refused")
	}
	if _, err := Soak(context.Background(), SoakConfig{Rate: 1e9, Duration: time.Hour}); err == nil {
		t.Fatal("a soak of more than MaxEvents events must be refused")
	}
}
