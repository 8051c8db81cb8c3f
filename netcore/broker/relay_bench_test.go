package broker

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// Environment of the helper process that hosts the benchmark's subscribers.
const (
	benchAddrEnv = "STARLING_BENCH_CLIENTS_ADDR"
	benchNEnv    = "STARLING_BENCH_CLIENTS_N"
)

// benchSubscribers connects n subscribers to addr that ack every event and
// call got with each event's number on their connection.
func benchSubscribers(t testing.TB, addr string, n int, got func(idx int)) {
	t.Helper()
	ack := vtp.AppendFrame(nil, vtp.Ack("ivo://starling.test/sub", "ivo://starling.test/source#bench"))
	alive := vtp.AppendFrame(nil, vtp.IAmAliveResponse("ivo://starling.test/sub", relayLocalIVO))
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		go func() {
			// A lean client: one read for all that has arrived, one write for all the acks.
			br := vtp.NewFrameReader(c, 16<<10, 1<<20)
			bw := bufio.NewWriterSize(c, 4<<10)
			idx := 0
			for {
				payload, err := br.Next()
				if err != nil {
					return
				}
				switch {
				case bytes.Contains(payload[:min(len(payload), 300)], []byte("VOEvent")):
					got(idx)
					idx++
					bw.Write(ack)
				case bytes.Contains(payload[:min(len(payload), 400)], []byte(`role="iamalive"`)):
					bw.Write(alive)
				}
				if br.Buffered() == 0 {
					if bw.Flush() != nil {
						return
					}
				}
			}
		}()
	}
}

// TestBenchSubscriberProcess is not a test: it is the helper process that
// BenchmarkPublish1000 starts to host its subscribers, so that the
// broadcaster's memory and CPU are measured apart from theirs. It prints
// "D idx unixnano" when every subscriber has event idx.
func TestBenchSubscriberProcess(t *testing.T) {
	addr := os.Getenv(benchAddrEnv)
	if addr == "" {
		t.Skip("helper process for BenchmarkPublish1000")
	}
	n, _ := strconv.Atoi(os.Getenv(benchNEnv))
	const maxEvents = 1 << 20
	counts := make([]atomic.Int32, maxEvents)
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	benchSubscribers(t, addr, n, func(idx int) {
		if idx < maxEvents && counts[idx].Add(1) == int32(n) {
			now := time.Now().UnixNano()
			mu.Lock()
			fmt.Fprintf(out, "D %d %d\n", idx, now)
			out.Flush()
			mu.Unlock()
		}
	})
	mu.Lock()
	fmt.Fprintln(out, "READY")
	out.Flush()
	mu.Unlock()
	io.Copy(io.Discard, os.Stdin) // until the benchmark ends
}

// benchFixture is a broadcaster with subscribers in a helper process.
type benchFixture struct {
	bc        *Broadcaster
	published int // events published so far; events are numbered from 0

	mu      sync.Mutex
	waiters map[int]chan int64 // event number -> time every subscriber had it
	done    map[int]int64
}

func (f *benchFixture) delivered(idx int) <-chan int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan int64, 1)
	if t, ok := f.done[idx]; ok {
		ch <- t
		delete(f.done, idx)
		return ch
	}
	f.waiters[idx] = ch
	return ch
}

func newBenchFixture(b *testing.B, subs int, cfg BroadcastConfig) *benchFixture {
	quietLog = true
	br, _ := newRelayBroker(b)
	quietLog = false
	f := &benchFixture{bc: br.NewBroadcaster(cfg), waiters: map[int]chan int64{}, done: map[int]int64{}}
	addr := startBroadcaster(b, f.bc)
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchSubscriberProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchAddrEnv+"="+addr, benchNEnv+"="+strconv.Itoa(subs))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if line == "READY" {
				close(ready)
				continue
			}
			var idx int
			var at int64
			if _, err := fmt.Sscanf(line, "D %d %d", &idx, &at); err != nil {
				continue
			}
			f.mu.Lock()
			if ch, ok := f.waiters[idx]; ok {
				ch <- at
				delete(f.waiters, idx)
			} else {
				f.done[idx] = at
			}
			f.mu.Unlock()
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		b.Fatal("the subscriber process did not connect")
	}
	waitFor(b, "all subscribers", func() bool { return f.bc.Subscribers() == subs })
	return f
}

// rssMB reads this process's resident set size.
func rssMB() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkPublish1000 publishes to 1,000 acking subscribers over loopback;
// the subscribers run in a helper process (STARLING_BENCH_SUBS and
// STARLING_BENCH_RATE change the numbers, STARLING_BENCH_BATCH the
// broadcaster's BatchInterval).
//
//   - latency: one event at a time; ns/op is from Publish until every
//     subscriber has it.
//   - rate460: after a second of warm-up, b.N events published at 460/s (run
//     with -benchtime 2000x); p50-ms and p99-ms are the time from Publish until
//     the last subscriber has each event; rss-MB is this process's resident
//     memory (the broadcaster and the test binary, not the subscribers).
func BenchmarkPublish1000(b *testing.B) {
	subs := 1000
	if v, err := strconv.Atoi(os.Getenv("STARLING_BENCH_SUBS")); err == nil {
		subs = v
	}
	rate := 460
	if v, err := strconv.Atoi(os.Getenv("STARLING_BENCH_RATE")); err == nil {
		rate = v
	}
	cfg := BroadcastConfig{}
	if v, err := time.ParseDuration(os.Getenv("STARLING_BENCH_BATCH")); err == nil {
		cfg.BatchInterval = v
	}
	raw, err := os.ReadFile("../../e2e/testdata/voevent.xml")
	if err != nil {
		raw = relayEvent("bench", 1)
	}
	ev, err := voevent.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	f := newBenchFixture(b, subs, cfg)
	publish := func() <-chan int64 {
		ch := f.delivered(f.published)
		f.published++
		f.bc.Publish(ev)
		return ch
	}
	wait := func(ch <-chan int64) int64 {
		select {
		case t := <-ch:
			return t
		case <-time.After(30 * time.Second):
			b.Fatalf("an event did not reach every subscriber; %d subscribers left", f.bc.Subscribers())
		}
		return 0
	}

	b.Run("latency", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			wait(publish())
		}
	})

	b.Run("rate460", func(b *testing.B) {
		paced := func(n int, each func(i int)) {
			start, tick := time.Now(), time.Second/time.Duration(rate)
			for i := range n {
				if d := time.Until(start.Add(time.Duration(i) * tick)); d > 0 {
					time.Sleep(d)
				}
				each(i)
			}
		}
		var warm []<-chan int64
		paced(rate, func(int) { warm = append(warm, publish()) })
		for _, ch := range warm {
			wait(ch)
		}
		sent := make([]int64, b.N)
		chans := make([]<-chan int64, b.N)
		b.ResetTimer()
		paced(b.N, func(i int) {
			sent[i] = time.Now().UnixNano()
			chans[i] = publish()
		})
		lat := make([]time.Duration, b.N)
		for i, ch := range chans {
			lat[i] = time.Duration(wait(ch) - sent[i])
		}
		b.StopTimer()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
		b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
		b.ReportMetric(rssMB(), "rss-MB")
		b.ReportMetric(float64(ms.HeapInuse+ms.StackInuse)/(1<<20), "heap+stack-MB")
	})
}
