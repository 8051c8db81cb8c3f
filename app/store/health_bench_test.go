package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchArchive returns a directory holding a synthetic archive of n
// alerts, built once under the system's temporary directory and kept
// between runs (delete it by hand): its own, not the monitor benchmarks'
// archive, since the background case admits into it.
func benchArchive(b *testing.B, n int) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("starling-bench-%d", n))
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	s, err := Open(context.Background(), dir, Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.FillSynthetic(context.Background(), n, time.Now(), 365*24*time.Hour); err != nil {
		b.Fatal(err)
	}
	s.Close()
	os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
	return dir
}

// BenchmarkQuickCheck times PRAGMA quick_check, the check on open, and
// integrity_check, starling doctor's, over synthetic archives of 100,000
// and (with STARLING_BENCH_1M=1: building it takes minutes) 1,000,000
// alerts; the "background" case opens the store as the broker does, with
// the check in the background, and reports how many admissions were
// acknowledged while it ran.
//
//	go test -run '^$' -bench BenchmarkQuickCheck -benchtime 3x ./app/store/
func BenchmarkQuickCheck(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("alerts=%d", n), func(b *testing.B) {
			if n >= 1_000_000 && os.Getenv("STARLING_BENCH_1M") == "" {
				b.Skip("set STARLING_BENCH_1M=1 to build and check a million-alert archive")
			}
			dir := benchArchive(b, n)
			size := float64(fileSize(filepath.Join(dir, FileName))) / (1 << 20)
			b.Run("quick_check", func(b *testing.B) {
				s, err := Open(context.Background(), dir, Options{NoBackfill: true})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				for b.Loop() {
					if p, err := quickCheck(context.Background(), s); err != nil || len(p) > 0 {
						b.Fatal(err, p)
					}
				}
				b.ReportMetric(size, "MB")
			})
			b.Run("integrity_check", func(b *testing.B) {
				for b.Loop() {
					if p, err := CheckFile(context.Background(), filepath.Join(dir, FileName), true); err != nil || len(p) > 0 {
						b.Fatal(err, p)
					}
				}
				b.ReportMetric(size, "MB")
			})
			b.Run("background", func(b *testing.B) {
				admitted, seconds, after, afterSeconds := 0, 0.0, 0, 0.0
				for i := 0; b.Loop(); i++ {
					s, err := Open(context.Background(), dir, Options{Exclusive: true, CheckWaitBytes: -1})
					if err != nil {
						b.Fatal(err)
					}
					start := time.Now()
					for j := 0; s.Health().State == HealthChecking; j++ {
						if _, _, err := s.Admit(context.Background(), record(fmt.Sprintf("ivo://bench/qc#%d-%d-%d", time.Now().UnixNano(), i, j), "raw")); err != nil {
							b.Fatal(err)
						}
						admitted++
					}
					seconds += time.Since(start).Seconds()
					if h := s.Health(); h.State != HealthOK {
						b.Fatalf("health %+v", h)
					}
					// As long again without the check, to compare.
					took := time.Since(start)
					start = time.Now()
					for j := 0; time.Since(start) < took; j++ {
						if _, _, err := s.Admit(context.Background(), record(fmt.Sprintf("ivo://bench/qc#after-%d-%d-%d", time.Now().UnixNano(), i, j), "raw")); err != nil {
							b.Fatal(err)
						}
						after++
					}
					afterSeconds += time.Since(start).Seconds()
					s.Close()
				}
				b.ReportMetric(float64(admitted)/seconds, "acks/s-during-check")
				b.ReportMetric(float64(after)/afterSeconds, "acks/s-after-check")
			})
		})
	}
}
