//go:build unix

package app

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/vtp"
)

var (
	kafkaBenchEvents  = flag.Int("kafka-bench-events", 100000, "events in the topic for BenchmarkKafka")
	kafkaBenchLive    = flag.Duration("kafka-bench-live", 30*time.Second, "how long BenchmarkKafka measures live latency at 10 events/s")
	kafkaBenchProfile = flag.String("kafka-bench-cpuprofile", "", "write a CPU profile of BenchmarkKafka's backfill phase to this file")
	kafkaBenchConc    = flag.Int("kafka-bench-concurrency", 0, "ConsumerConfig.Concurrency for BenchmarkKafka (0: the default)")
)

// benchEvent is a real GCN VOEvent (Fermi GBM flight position) made unique
// by n: its IVORN and TrigID.
func benchEvent(tmpl string, n int) []byte {
	s := strings.Replace(tmpl, "GBM_Flt_Pos_2023-12-10T13:15:50.51_723906955_120-802", fmt.Sprintf("GBM_Flt_Pos_2023-12-10T13:15:50.51_%09d_120-802", n), 1)
	return []byte(strings.Replace(s, `name="TrigID" value="723906955"`, fmt.Sprintf(`name="TrigID" value="%d"`, n), 1))
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus reads a field (in kB) of /proc/self/status.
func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkKafka is a report, run once: go test -run '^$' -bench Kafka
// -benchtime 1x ./app/. It fills a kfake topic (in a kfaked process) with
// -kafka-bench-events real-shaped VOEvents, then measures (a) the raw
// consume rate of the topic, (b) the backfill rate through the whole
// pipeline (checks, seen-list, durable SQLite archive, commit after store)
// with the peak RSS, and (c) the latency from produce to a VTP subscriber's
// receipt at 10 events/s.
func BenchmarkKafka(b *testing.B) {
	n := *kafkaBenchEvents
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "voevents", "public", "fermi", "GBM_Flt_Pos_2023-12-10T13_15_50.51_723906955_120-802.xml"))
	if err != nil {
		b.Fatal(err)
	}
	tmpl := string(raw)
	const topic = "gcn.classic.voevent.FERMI_GBM_FLT_POS"
	// The cluster runs in its own process (the e2e fixture), so that this
	// process's memory is the pipeline's alone.
	kbin := filepath.Join(b.TempDir(), "kfaked")
	if out, err := exec.Command("go", "build", "-o", kbin, "../e2e/kfaked").CombinedOutput(); err != nil {
		b.Fatalf("building kfaked: %v\n%s", err, out)
	}
	kf := exec.Command(kbin, "-seed-topic", topic)
	kout, err := kf.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := kf.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { kf.Process.Signal(syscall.SIGTERM); kf.Wait() }()
	line, err := bufio.NewReader(kout).ReadString('\n')
	if err != nil {
		b.Fatalf("kfaked: %v", err)
	}
	seeds := []string{strings.TrimSpace(line)}
	prod, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(5*time.Millisecond),
		kgo.ProducerBatchCompression(kgo.NoCompression())) // as incompressible as real traffic; the template repeats
	if err != nil {
		b.Fatal(err)
	}
	defer prod.Close()
	start := time.Now()
	var perr atomic.Value
	for i := 0; i < n; i++ {
		prod.Produce(context.Background(), &kgo.Record{Value: benchEvent(tmpl, i)}, func(_ *kgo.Record, err error) {
			if err != nil {
				perr.Store(err)
			}
		})
	}
	if err := prod.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	if err, _ := perr.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.Logf("produced %d events of %d bytes in %s", n, len(raw), time.Since(start).Round(time.Millisecond))

	// (a) Raw consume: no group, no processing.
	runtime.GC()
	debug.FreeOSMemory()
	cons, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxPartitionBytes(kafka.MaxRecordBytes), kgo.FetchMaxBytes(4*kafka.MaxRecordBytes))
	if err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	for got := 0; got < n; {
		got += cons.PollFetches(context.Background()).NumRecords()
	}
	rawRate := float64(n) / time.Since(start).Seconds()
	cons.Close()

	// (b) Backfill through the pipeline.
	runtime.GC()
	debug.FreeOSMemory()
	core, err := Open(context.Background(), Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer core.Close(context.Background())
	bc, err := endpoint.Server("tcp:0:interface=127.0.0.1", 8099)
	if err != nil {
		b.Fatal(err)
	}
	rssBefore := procStatus("VmRSS")
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM to the current RSS
	var peakHeap, peakSys atomic.Uint64
	stopSampling := make(chan struct{})
	var sampling sync.WaitGroup
	sampling.Add(1)
	go func() {
		defer sampling.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peakHeap.Store(max(peakHeap.Load(), ms.HeapInuse))
			peakSys.Store(max(peakSys.Load(), ms.Sys))
			select {
			case <-stopSampling:
				return
			case <-t.C:
			}
		}
	}()
	if *kafkaBenchProfile != "" {
		f, err := os.Create(*kafkaBenchProfile)
		if err != nil {
			b.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer f.Close()
	}
	cpuBefore := cpuTime()
	start = time.Now()
	lb, err := core.Brokers().Start(BrokerConfig{LocalIVO: "ivo://bench/kafka", Broadcast: []endpoint.Endpoint{bc},
		Kafka: []kafka.ConsumerConfig{{Config: kafka.Config{Name: "bench", Bootstrap: seeds},
			Topics: []string{topic}, Group: "bench", From: kafka.From{Earliest: true}, HealthInterval: -1, Concurrency: *kafkaBenchConc}}})
	if err != nil {
		b.Fatal(err)
	}
	defer core.Brokers().Stop(context.Background())
	src := lb.KafkaSources()[0]
	for {
		h := src.Health()
		if h.Stored+h.Duplicates+h.Refused+h.Skipped >= uint64(n) {
			if h.Stored != uint64(n) {
				b.Fatalf("stored %d of %d: %s", h.Stored, n, h)
			}
			break
		}
		if h.State == kafka.StateError {
			b.Fatalf("source: %s", h)
		}
		time.Sleep(20 * time.Millisecond)
	}
	backfill := time.Since(start)
	cpuBackfill := cpuTime() - cpuBefore
	if *kafkaBenchProfile != "" {
		pprof.StopCPUProfile()
	}
	close(stopSampling)
	sampling.Wait()
	hwm := procStatus("VmHWM")
	if got, err := core.store.CountEvents(context.Background(), store.EventQuery{}); err != nil || got != int64(n) {
		b.Fatalf("archive holds %d events (%v), want %d", got, err, n)
	}
	backRate := float64(n) / backfill.Seconds()

	// (c) Live latency at 10 events/s to a VTP subscriber.
	sub, err := net.Dial("tcp", lb.BroadcastAddrs()[0].String())
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	for lb.Subscribers() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	var mu sync.Mutex
	sent := map[string]time.Time{}
	var lat []time.Duration
	ivorn := regexp.MustCompile(`ivorn="([^"]+)"`)
	live := int(kafkaBenchLive.Seconds() * 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		br := bufio.NewReader(sub)
		for len(lat) < live {
			frame, err := vtp.ReadFrame(br, vtp.DefaultMaxFrame)
			if err != nil {
				return
			}
			now := time.Now()
			if m, err := vtp.Parse(frame); err == nil {
				if m.Role == vtp.RoleIAmAlive {
					vtp.WriteFrame(sub, vtp.IAmAliveResponse("ivo://bench/sub", m.Origin))
				}
				continue
			}
			vtp.WriteFrame(sub, vtp.Ack("ivo://bench/sub", ""))
			if m := ivorn.FindSubmatch(frame); m != nil {
				mu.Lock()
				if at, ok := sent[string(m[1])]; ok {
					lat = append(lat, now.Sub(at))
				}
				mu.Unlock()
			}
		}
	}()
	// Alerts are produced one at a time, as they happen: no linger.
	lprod, err := kgo.NewClient(kgo.SeedBrokers(seeds...), kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(0))
	if err != nil {
		b.Fatal(err)
	}
	defer lprod.Close()
	tick := time.NewTicker(100 * time.Millisecond)
	for i := 0; i < live; i++ {
		<-tick.C
		ev := benchEvent(tmpl, n+i)
		mu.Lock()
		sent[string(ivorn.FindSubmatch(ev)[1])] = time.Now()
		mu.Unlock()
		lprod.Produce(context.Background(), &kgo.Record{Value: ev}, nil)
	}
	tick.Stop()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		b.Fatalf("only %d of %d live events arrived", len(lat), live)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }

	b.ReportMetric(rawRate, "raw-events/s")
	b.ReportMetric(backRate, "backfill-events/s")
	b.ReportMetric(float64(pct(0.5).Microseconds())/1000, "live-p50-ms")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "live-p99-ms")
	b.ReportMetric(float64(hwm)/1024, "peak-RSS-MiB")
	b.Logf("raw consume %.0f events/s; backfill %d events in %s = %.0f events/s; live (%d events at 10/s) p50 %s p99 %s max %s",
		rawRate, n, backfill.Round(time.Millisecond), backRate, len(lat), pct(0.5).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))
	b.Logf("backfill CPU %s (user+system) = %.0f µs per event, %.0f%% of one core", cpuBackfill.Round(time.Millisecond),
		float64(cpuBackfill.Microseconds())/float64(n), 100*cpuBackfill.Seconds()/backfill.Seconds())
	b.Logf("RSS before the backfill %d MiB, peak during it %d MiB (+%d MiB); Go heap in use peak %d MiB, runtime Sys peak %d MiB",
		rssBefore/1024, hwm/1024, (hwm-rssBefore)/1024, peakHeap.Load()>>20, peakSys.Load()>>20)
}
