package store

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The alert monitor's benchmarks run over a synthetic archive of a million
// alerts, built once into $STARLING_BENCH_ARCHIVE (default: a directory
// under the system's temporary directory, kept between runs; delete it by
// hand) and reused.
var (
	millionOnce sync.Once
	millionDir  string
)

// millionArchive returns the directory of the million-alert archive,
// building it first if needed.
func millionArchive(b *testing.B) string {
	millionOnce.Do(func() {
		millionDir = os.Getenv("STARLING_BENCH_ARCHIVE")
		if millionDir == "" {
			millionDir = filepath.Join(os.TempDir(), "starling-bench-1m")
		}
		if _, err := os.Stat(filepath.Join(millionDir, "done")); err == nil {
			return
		}
		os.RemoveAll(millionDir)
		s, err := Open(context.Background(), millionDir, Options{Synchronous: "OFF"})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := s.FillSynthetic(context.Background(), 1_000_000, time.Now(), 365*24*time.Hour); err != nil {
			b.Fatal(err)
		}
		b.Logf("built a 1,000,000-alert archive in %.1f s", time.Since(start).Seconds())
		s.Close()
		os.WriteFile(filepath.Join(millionDir, "done"), nil, 0o644)
	})
	return millionDir
}

func openMillion(b *testing.B) *Store {
	s, err := Open(context.Background(), millionArchive(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkMonitorQueries is one keystroke's or one launch's work, over a
// million alerts: the first page of 200 of a filter, and its count.
func BenchmarkMonitorQueries(b *testing.B) {
	s := openMillion(b)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		q    EventQuery
	}{
		{"launch", EventQuery{HideTest: true}},
		{"sort-event-time", EventQuery{HideTest: true, Sort: SortEventTime}},
		{"sort-type-asc", EventQuery{HideTest: true, Sort: SortType, Asc: true}},
		{"search-trigger", EventQuery{HideTest: true, Text: "S251130"}},
		{"search-word", EventQuery{HideTest: true, Text: "Retraction"}},
		{"search-rare", EventQuery{HideTest: true, Text: "1100042"}},
		{"type", EventQuery{HideTest: true, AlertType: "Retraction"}},
		{"source", EventQuery{HideTest: true, Source: "gwalert"}},
		{"source-none", EventQuery{HideTest: true, Source: "no-such-peer"}},
		{"trigger", EventQuery{HideTest: true, Trigger: "1100042"}},
		{"last-24h", EventQuery{HideTest: true, From: time.Now().Add(-24 * time.Hour)}},
		{"cone-10deg", EventQuery{HideTest: true, Cone: &Cone{RA: 83.6, Dec: 22.0, Radius: 10}}},
	} {
		q := c.q
		q.Limit = 200
		b.Run(c.name+"/page", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ListEvents(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/count", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountEvents(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMonitorDeepPage reads a page of 200 half a million rows down
// (keyset: as fast as the first).
func BenchmarkMonitorDeepPage(b *testing.B) {
	s := openMillion(b)
	ctx := context.Background()
	for _, sort := range []string{SortReceived, SortEventTime, SortTrigger} {
		b.Run("sort="+sort, func(b *testing.B) {
			q := EventQuery{HideTest: true, Sort: sort, Limit: 1}
			mid, err := s.ListEvents(ctx, EventQuery{HideTest: true, Sort: sort, Limit: 1, After: Cursor{Set: true, Key: int64(0), ID: 500_000}})
			if sort != SortReceived {
				mid, err = s.ListEvents(ctx, q)
			}
			if err != nil || len(mid) == 0 {
				b.Fatal(err)
			}
			q.After, q.Limit = CursorAfter(sort, mid[0]), 200
			for b.Loop() {
				if rows, err := s.ListEvents(ctx, q); err != nil || len(rows) != 200 {
					b.Fatal(len(rows), err)
				}
			}
		})
	}
}
