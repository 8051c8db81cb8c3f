package api

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/apptest"
)

// benchEnd is when the benchmark archive's year of alerts ends.
var benchEnd = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// millionArchive is a synthetic archive of a million alerts (store
// FillSynthetic: a year of them, positions over the whole sky), built
// once into $STARLING_VDB_BENCH_ARCHIVE (default a directory under the
// system's temporary directory, kept between runs; delete it by hand).
func millionArchive(b *testing.B) string {
	dir := os.Getenv("STARLING_VDB_BENCH_ARCHIVE")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "starling-vdb-bench-1m")
	}
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	start := time.Now()
	apptest.Synthetic(b, dir, 1_000_000, benchEnd, 365*24*time.Hour)
	b.Logf("built a 1,000,000-alert archive in %.1f s", time.Since(start).Seconds())
	os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
	return dir
}

// BenchmarkListIVORNConeTime is the figure of issue 20: list/ivorn with
// a cone and an authored_since/until window, over HTTP from a real
// server, over a million alerts; it reports the p95 latency. Each request
// takes another cone (10° radius) and another 30-day window.
func BenchmarkListIVORNConeTime(b *testing.B) {
	dir := millionArchive(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	core, err := app.Open(ctx, app.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer core.Close(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go New(core, Options{}).Serve(ctx, ln)
	base := "http://" + ln.Addr().String() + "/apiv1/list/ivorn?"
	query := func(i int) string {
		ra := math.Mod(float64(i)*47.3, 360)
		dec := math.Mod(float64(i)*23.7, 140) - 70
		from := benchEnd.Add(-time.Duration(30+i%300) * 24 * time.Hour)
		v := url.Values{"cone": {fmt.Sprintf("[%.3f, %.3f, 10.0]", ra, dec)},
			"authored_since": {from.Format("2006-01-02T15:04:05")},
			"authored_until": {from.Add(30 * 24 * time.Hour).Format("2006-01-02T15:04:05")}}
		return base + v.Encode()
	}
	get := func(u string) int {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d", u, resp.StatusCode)
		}
		return int(n)
	}
	get(query(0)) // warm the cache
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		get(query(i))
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}
