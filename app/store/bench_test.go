package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/seen"
)

// fillArchive writes n synthetic events of about 2 KB through Admit (the
// real path), spread over roles and the last 30 days.
func fillArchive(tb testing.TB, s *Store, n int) {
	tb.Helper()
	roles := []string{"observation", "observation", "observation", "test", "utility", "prediction"}
	pad := strings.Repeat("x", 1800)
	start := time.Now().Add(-30 * 24 * time.Hour)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ivorn := fmt.Sprintf("ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_%07d-%03d", i, i%997)
			raw := fmt.Sprintf(`<voe:VOEvent ivorn=%q>%s</voe:VOEvent>`, ivorn, pad)
			r := seen.Record{
				IVORN: ivorn, Digest: sha256.Sum256([]byte(raw)), Source: "127.0.0.1:1",
				Received: start.Add(time.Duration(i) * (30 * 24 * time.Hour / time.Duration(n))), Raw: []byte(raw),
				Summary: alert.Summary{Format: alert.FormatVOEvent, Key: ivorn, Role: roles[i%len(roles)], Author: "ivo://nasa.gsfc.tan/gcn", HasPosition: true, RA: float64(i % 360), Dec: -45},
			}
			if _, _, err := s.Admit(context.Background(), r); err != nil {
				tb.Error(err)
			}
		}()
	}
	wg.Wait()
}

func bigArchive(b *testing.B) *Store {
	dir := b.TempDir()
	s, err := Open(context.Background(), dir, Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	fillArchive(b, s, 100_000)
	s.Close()
	s, err = Open(context.Background(), dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkArchive100k times the archive queries the window and the CLI make
// over 100,000 events (built once: a benchmark with sub-benchmarks runs its
// body once).
func BenchmarkArchive100k(b *testing.B) {
	s := bigArchive(b)
	ctx := context.Background()
	newest, _ := s.ListEvents(ctx, EventQuery{Limit: 1})
	mid := newest[0].ID / 2
	now := time.Now()
	cases := []struct {
		name string
		q    EventQuery
	}{
		{"newest page", EventQuery{Limit: 50}},
		{"next page (keyset)", EventQuery{BeforeID: mid, Limit: 50}},
		{"IVORN substring, common", EventQuery{Text: "BAT_GRB", Limit: 50}},
		{"IVORN substring, rare", EventQuery{Text: "_0012345-", Limit: 50}},
		{"IVORN substring, absent", EventQuery{Text: "no-such-event", Limit: 50}},
		{"role, rare", EventQuery{Role: "prediction", Limit: 50}},
		{"time range, one day", EventQuery{From: now.Add(-15 * 24 * time.Hour), To: now.Add(-14 * 24 * time.Hour), Limit: 50}},
	}
	for _, c := range cases {
		b.Run("list/"+c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.ListEvents(ctx, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("count/all", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.CountEvents(ctx, EventQuery{})
		}
	})
	b.Run("get by IVORN", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := s.GetEvent(ctx, "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_0050000-150"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestArchiveSizePer1000 reports the size on disk of 1,000 archived 2 KB events.
func TestArchiveSizePer1000(t *testing.T) {
	if testing.Short() {
		t.Skip("measures disk use")
	}
	dir := t.TempDir()
	s := open(t, dir, Options{})
	fillArchive(t, s, 1000)
	s.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("1,000 archived events of ~2 KB: %d KB on disk (%.2f KB per event)", fi.Size()/1024, float64(fi.Size())/1024/1000)
	if fi.Size() < 1000*1800 {
		t.Fatalf("the archive is smaller than the raw bytes it must hold: %d", fi.Size())
	}
}

// BenchmarkAdmitParallel measures group commit: concurrent admissions of
// distinct events, each acknowledged only after its durable commit.
func BenchmarkAdmitParallel(b *testing.B) {
	for _, mode := range []string{"FULL", "NORMAL"} {
		b.Run(mode, func(b *testing.B) {
			s := open(b, b.TempDir(), Options{Synchronous: mode})
			var n int64
			var mu sync.Mutex
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					mu.Lock()
					n++
					i := n
					mu.Unlock()
					if _, _, err := s.Admit(context.Background(), record(fmt.Sprintf("ivo://bench.test/x#%d", i), "raw")); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}
