package bench

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestIdentify(t *testing.T) {
	tpl, err := NewTemplate([]byte(`<voe:VOEvent ivorn='ivo://a.b/c#orig' role="test"/>`), "run7")
	if err != nil {
		t.Fatal(err)
	}
	tr := newTracker(tpl, 100)
	ev, ivorn := tpl.Event(42)
	if k, n, iv := tr.identify(ev); k != eventMeasured || n != 42 || iv != ivorn {
		t.Fatalf("measured: %d %d %q", k, n, iv)
	}
	ev, ivorn = tr.warmupTemplate(tpl).Event(3)
	if k, n, iv := tr.identify(ev); k != eventWarmup || n != 3 || iv != ivorn {
		t.Fatalf("warm-up: %d %d %q", k, n, iv)
	}
	if k, _, iv := tr.identify([]byte(`<VOEvent ivorn="ivo://x/y#TestEvent-1" role="test"/>`)); k != eventForeign || iv != "ivo://x/y#TestEvent-1" {
		t.Fatalf("foreign: %d %q", k, iv)
	}
}

func TestHistogramIndex(t *testing.T) {
	prev := -1
	for v := int64(0); v < 1<<20; v++ {
		i := histIndex(v)
		if i != prev && i != prev+1 {
			t.Fatalf("index jumps from %d to %d at %d", prev, i, v)
		}
		if v < histLower(i) || v > histUpper(i) {
			t.Fatalf("%d is not within bucket %d [%d, %d]", v, i, histLower(i), histUpper(i))
		}
		prev = i
	}
	if i := histIndex(1 << 50); i != histBuckets-1 {
		t.Fatalf("a huge value goes to bucket %d of %d", i, histBuckets)
	}
}

func TestHistogramPercentiles(t *testing.T) {
	var h histogram
	var ds []time.Duration
	for i := 0; i < 10000; i++ {
		d := time.Duration(rand.Int64N(int64(50 * time.Millisecond)))
		ds = append(ds, d)
		h.record(d)
	}
	got := h.snapshot().latencies()
	want := Summarise(ds)
	if got.Count != want.Count || got.Min != want.Min || got.Max != want.Max {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	near := func(a, b time.Duration) bool { return a >= b && float64(a-b) <= float64(b)/100 }
	if !near(got.P50, want.P50) || !near(got.P90, want.P90) || !near(got.P99, want.P99) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	// An interval: what was recorded since a snapshot.
	before := h.snapshot()
	h.record(7 * time.Second)
	iv := h.snapshot().since(before).latencies()
	if iv.Count != 1 || iv.P50 < 7*time.Second || iv.P50 > iv.Max || iv.Max > 7*time.Second+7*time.Second/100 {
		t.Fatalf("interval %+v", iv)
	}
	if (histSnapshot{counts: make([]int64, histBuckets)}.latencies() != Latencies{}) {
		t.Fatal("an empty histogram must give zero latencies")
	}
}

func TestSummariseDrops(t *testing.T) {
	var ds []Drop
	for i := 1; i <= 8; i++ {
		reason := "the broker closed the connection"
		if i%2 == 0 {
			reason = "the broker reset the connection"
		}
		ds = append(ds, Drop{Subscriber: i, Local: "127.0.0.1:1", At: time.Second, Delivered: 5, Reason: reason})
	}
	lines := summariseDrops(ds, 3)
	if len(lines) != 4 || lines[3] != "... 8 subscribers lost in all (4: the broker closed the connection; 4: the broker reset the connection)" {
		t.Fatalf("%q", lines)
	}
}
