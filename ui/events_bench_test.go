package ui

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/kafka"
)

// millionDir is the million-alert archive the store's benchmarks build
// (app/store/eventsbench_test.go), built here too if it is missing.
func millionDir(b *testing.B) string {
	dir := os.Getenv("STARLING_BENCH_ARCHIVE")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "starling-bench-1m")
	}
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	c, err := app.Open(context.Background(), app.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Archive().FillSynthetic(context.Background(), 1_000_000, time.Now(), 365*24*time.Hour); err != nil {
		b.Fatal(err)
	}
	c.Close(context.Background())
	os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
	return dir
}

// openMillionWindow opens the core on the million-alert archive and the
// window over it, on the Events tab, and waits for the first page and the
// count to show.
func openMillionWindow(b *testing.B, a fyne.App, dir string) *Window {
	core, err := app.Open(context.Background(), app.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	s := app.DefaultBrokerSettings()
	s.ReceivePort, s.BroadcastPort = porttest.One(b), porttest.One(b)
	core.Settings().SaveBroker(context.Background(), s)
	w := a.NewWindow("bench")
	w.Resize(fyne.NewSize(1280, 800))
	u := Create(context.Background(), a, w, core, Options{ClockEvery: time.Hour})
	onUI(func() { u.Tabs.SelectIndex(4) })
	for !fromUI(func() bool { return len(u.Events.rows) > 0 && strings.HasSuffix(u.Events.Count.Text, "events") }) {
		time.Sleep(time.Millisecond)
	}
	return u
}

func kafkaRecord(raw []byte) *kafka.Record {
	return &kafka.Record{Topic: "igwn.gwalert", Value: raw, Time: time.Now()}
}

// BenchmarkMonitorLaunch is launch to first frame over a million alerts:
// open the archive, build the window, show the first page and the count.
// It reports the process's resident memory with the window open.
func BenchmarkMonitorLaunch(b *testing.B) {
	dir := millionDir(b)
	a := newTestApp(b)
	var rss float64
	for b.Loop() {
		u := openMillionWindow(b, a, dir)
		rss = residentMB()
		u.Close()
		u.Core.Close(context.Background())
	}
	b.ReportMetric(rss, "MB-resident")
}

// BenchmarkMonitorLiveLatency is alert accepted → row at the top of the
// table, and → its trigger's row at the top of the trigger view, over a
// million alerts, through the local broker's Kafka path and the push to
// the window; it reports the medians and the 99th centiles.
func BenchmarkMonitorLiveLatency(b *testing.B) {
	dir := millionDir(b)
	a := newTestApp(b)
	u := openMillionWindow(b, a, dir)
	defer func() { u.Close(); u.Core.Close(context.Background()) }()
	onUI(func() { test.Tap(u.Broker.Toggle) })
	for u.Core.Brokers().Running() == nil {
		time.Sleep(time.Millisecond)
	}
	lb := u.Core.Brokers().Running()
	var lat, trig []time.Duration
	n := 1_000_000_000 + int(time.Now().UnixNano()%100_000_000)
	for b.Loop() {
		n++
		raw := gwAlert(n, "Preliminary")
		o, after, err := lb.KafkaHandler().Handle(context.Background(), kafkaRecord(raw))
		if err != nil || after == nil {
			b.Fatal(o, err)
		}
		start := time.Now()
		after()
		want := "S" + strconv.Itoa(n)
		for !fromUI(func() bool { return len(u.Events.rows) > 0 && u.Events.rows[0].Trigger == want }) {
			time.Sleep(200 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
		for !fromUI(func() bool { rows := u.Events.Triggers.rows; return len(rows) > 0 && rows[0].Trigger == want }) {
			time.Sleep(200 * time.Microsecond)
		}
		trig = append(trig, time.Since(start))
		time.Sleep(30 * time.Millisecond) // alerts come one by one here, not in bursts
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
	slices.Sort(trig)
	b.ReportMetric(float64(trig[len(trig)/2].Microseconds())/1000, "trigger-ms-p50")
	b.ReportMetric(float64(trig[len(trig)*99/100].Microseconds())/1000, "trigger-ms-p99")
}

// residentMB is the process's resident memory after a garbage collection.
func residentMB() float64 {
	runtime.GC()
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
