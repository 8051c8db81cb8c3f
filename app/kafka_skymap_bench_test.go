//go:build unix

package app

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/kafka"
)

var (
	kafkaSkymapAlerts  = flag.Int("kafka-skymap-alerts", 1000, "LVK alerts in the topic for BenchmarkKafkaSkymaps")
	kafkaSkymapProfile = flag.String("kafka-skymap-cpuprofile", "", "write a CPU profile of BenchmarkKafkaSkymaps's backfill to this file")
)

// BenchmarkKafkaSkymaps is a report, run once: go test -run '^$' -bench
// KafkaSkymaps -benchtime 1x ./app/. It fills a kfake topic igwn.gwalert
// (in a kfaked process) with -kafka-skymap-alerts distinct LVK alerts that
// each embed a 1 MB sky map, then measures the backfill through the whole
// pipeline: the Kafka source, the JSON summary and the map's decoding, the
// seen-list, the durable SQLite archive, the commit after store.
func BenchmarkKafkaSkymaps(b *testing.B) {
	n := *kafkaSkymapAlerts
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "notices", "lvk-userguide", "MS181101ab-preliminary.json"))
	if err != nil {
		b.Fatal(err)
	}
	tmpl := string(raw)
	if a, z := skymapAlert(tmpl, 0), skymapAlert(tmpl, 1); string(a) == string(z) || string(a) == tmpl {
		b.Fatal("the alerts are not made distinct")
	}
	const topic = "igwn.gwalert"
	kbin := filepath.Join(b.TempDir(), "kfaked")
	if out, err := exec.Command("go", "build", "-o", kbin, "../e2e/kfaked").CombinedOutput(); err != nil {
		b.Fatalf("building kfaked: %v\n%s", err, out)
	}
	kf := exec.Command(kbin, "-seed-topic", topic, "-max-message-bytes", fmt.Sprint(kafka.MaxRecordBytes))
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
		kgo.ProducerBatchMaxBytes(int32(kafka.MaxRecordBytes)), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		b.Fatal(err)
	}
	defer prod.Close()
	start := time.Now()
	var perr atomic.Value
	for i := 0; i < n; i++ {
		prod.Produce(context.Background(), &kgo.Record{Value: skymapAlert(tmpl, i)}, func(_ *kgo.Record, err error) {
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
	b.Logf("produced %d alerts of %d bytes in %s", n, len(raw), time.Since(start).Round(time.Millisecond))

	// The raw consume rate: no group, no processing.
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

	runtime.GC()
	debug.FreeOSMemory()
	core, err := Open(context.Background(), Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer core.Close(context.Background())
	rssBefore := procStatus("VmRSS")
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	if *kafkaSkymapProfile != "" {
		f, err := os.Create(*kafkaSkymapProfile)
		if err != nil {
			b.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer f.Close()
	}
	cpuBefore := cpuTime()
	start = time.Now()
	lb, err := core.Brokers().Start(BrokerConfig{LocalIVO: "ivo://bench/kafka",
		Kafka: []kafka.ConsumerConfig{{Config: kafka.Config{Name: "bench", Bootstrap: seeds},
			Topics: []string{topic}, Group: "bench", From: kafka.From{Earliest: true}, HealthInterval: -1}}})
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
	elapsed := time.Since(start)
	cpu := cpuTime() - cpuBefore
	if *kafkaSkymapProfile != "" {
		pprof.StopCPUProfile()
	}
	hwm := procStatus("VmHWM")
	rows, err := core.store.ListEvents(context.Background(), store.EventQuery{Limit: n})
	if err != nil || len(rows) != n {
		b.Fatalf("archive holds %d alerts (%v), want %d", len(rows), err, n)
	}
	for _, r := range rows {
		if r.Skymap == nil || r.Skymap.NPix != 19200 {
			b.Fatalf("alert %s has no sky map summary: %+v", r.Trigger, r)
		}
	}
	rate := float64(n) / elapsed.Seconds()
	b.ReportMetric(rawRate, "raw-alerts/s")
	b.ReportMetric(rate, "alerts/s")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "CPU-ms/alert")
	b.ReportMetric(float64(hwm)/1024, "peak-RSS-MiB")
	b.Logf("backfill %d LVK alerts with sky maps in %s = %.1f alerts/s; CPU %s = %.1f ms per alert, %.0f%% of one core; RSS %d MiB before, peak %d MiB",
		n, elapsed.Round(time.Millisecond), rate, cpu.Round(time.Millisecond), float64(cpu.Microseconds())/1000/float64(n),
		100*cpu.Seconds()/elapsed.Seconds(), rssBefore/1024, hwm/1024)
}
