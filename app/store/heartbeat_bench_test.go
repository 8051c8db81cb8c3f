package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// heartbeatMillion fills s with n gcn.heartbeat records, one a second,
// with an alert after every thousandth, straight through SQL.
func heartbeatMillion(b *testing.B, s *Store, n int) {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO events(ivorn, role, received_at, source, topic, format, alert_type, mission, "trigger", ra, dec, test)
		VALUES(?, '', ?, ?, ?, 'json', ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now().Add(-time.Duration(n) * time.Second)
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second).UnixMilli()
		if _, err := ins.ExecContext(ctx, fmt.Sprintf("sha256:hb%d", i), at, "kafka gcn.heartbeat", "gcn.heartbeat", "Heartbeat", "GCN", "", nil, nil, 0); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			if _, err := ins.ExecContext(ctx, fmt.Sprintf("sha256:a%d", i), at, "kafka gcn.notices.icecube", "gcn.notices.icecube",
				"Gold", "IceCube", fmt.Sprint(i), float64(i%360), 10.0, i%10 == 0); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkHeartbeatArchive: a million heartbeats (11.6 days of
// gcn.heartbeat; $STARLING_BENCH_HEARTBEATS sets another number) and one
// alert per thousand; the monitor's queries leave the heartbeats out.
func BenchmarkHeartbeatArchive(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir(), Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("STARLING_BENCH_HEARTBEATS")); err == nil && v > 0 {
		n = v
	}
	heartbeatMillion(b, s, n)
	b.Logf("filled in %.1f s", time.Since(start).Seconds())
	ctx := context.Background()
	for _, c := range []struct {
		name string
		q    EventQuery
	}{
		{"all", EventQuery{}},
		{"launch", EventQuery{HideTest: true}},
		{"last-24h", EventQuery{HideTest: true, From: time.Now().Add(-24 * time.Hour)}},
		{"sort-type", EventQuery{HideTest: true, Sort: SortType}},
		{"heartbeats", EventQuery{Source: "gcn.heartbeat"}},
	} {
		q := c.q
		q.Limit = 200
		b.Run(c.name+"/page", func(b *testing.B) {
			for b.Loop() {
				if rows, err := s.ListEvents(ctx, q); err != nil || len(rows) == 0 {
					b.Fatal(len(rows), err)
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
	b.Run("rates-daily", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Rates(ctx, SkyQuery{}, 24*time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("positions", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Positions(ctx, SkyQuery{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
