package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// skyRow is a made-up archived alert for the sky and rate queries.
type skyRow struct {
	received time.Time
	source   string
	topic    string
	test     bool
	pos      bool
}

// insertSky writes rows straight into the events table in one transaction.
func insertSky(tb testing.TB, s *Store, rows []skyRow) {
	tb.Helper()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO events(ivorn, role, received_at, source, topic, test, ra, dec, err) VALUES (?, 'observation', ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i, row := range rows {
		var ra, dec, e any
		if row.pos {
			ra, dec, e = r.Float64()*360, r.Float64()*180-90, r.Float64()*10
		}
		if _, err := st.ExecContext(ctx, fmt.Sprintf("ivo://test/sky#%d", i), row.received.UnixMilli(), row.source, row.topic, row.test, ra, dec, e); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func TestRatesByHourAndDay(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	t0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	var rows []skyRow
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 500; i++ {
		row := skyRow{received: t0.Add(time.Duration(r.Int64N(int64(72 * time.Hour)))), source: "127.0.0.1", test: i%7 == 0}
		if i%3 == 0 {
			row.source, row.topic = "kafka gcn", "igwn.gwalert"
		}
		rows = append(rows, row)
	}
	insertSky(t, s, rows)
	q := SkyQuery{Since: t0.Add(6 * time.Hour), Until: t0.Add(60 * time.Hour)}
	for _, width := range []time.Duration{time.Hour, 24 * time.Hour} {
		want := map[string]int{}
		for _, row := range rows {
			if row.test || row.received.Before(q.Since) || !row.received.Before(q.Until) {
				continue
			}
			src := row.source
			if row.topic != "" {
				src = row.topic
			}
			want[fmt.Sprint(row.received.Truncate(width).Unix(), src)]++
		}
		bins, err := s.Rates(context.Background(), q, width)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, b := range bins {
			got[fmt.Sprint(b.Start.Unix(), b.Source)] = b.Count
		}
		if len(got) != len(want) {
			t.Errorf("%v: %d bins, want %d", width, len(got), len(want))
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%v: bin %s has %d, want %d", width, k, got[k], n)
			}
		}
	}
}

func TestPositionsHideTestAndUnplaced(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	now := time.Now()
	insertSky(t, s, []skyRow{{received: now, pos: true}, {received: now, pos: true, test: true}, {received: now}, {received: now.Add(-48 * time.Hour), pos: true}})
	ps, err := s.Positions(context.Background(), SkyQuery{Since: now.Add(-time.Hour)})
	if err != nil || len(ps) != 1 || ps[0].ID != 1 {
		t.Fatalf("positions %v, %v; want only id 1", ps, err)
	}
	ps, _ = s.Positions(context.Background(), SkyQuery{Test: true})
	if len(ps) != 3 {
		t.Fatalf("with test and no time bound: %d positions, want 3", len(ps))
	}
}

func benchSkyStore(b *testing.B, n int) *Store {
	s := open(b, b.TempDir(), Options{})
	rows := make([]skyRow, n)
	t0 := time.Now().Add(-30 * 24 * time.Hour)
	for i := range rows {
		rows[i] = skyRow{received: t0.Add(time.Duration(i) * (30 * 24 * time.Hour / time.Duration(n))), source: fmt.Sprint("peer", i%5), pos: true}
	}
	insertSky(b, s, rows)
	return s
}

func BenchmarkPositions100k(b *testing.B) {
	s := benchSkyStore(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		if ps, err := s.Positions(context.Background(), SkyQuery{}); err != nil || len(ps) != 100_000 {
			b.Fatal(len(ps), err)
		}
	}
}

func BenchmarkRatesDaily100k(b *testing.B) {
	s := benchSkyStore(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		if bins, err := s.Rates(context.Background(), SkyQuery{Since: time.Now().Add(-30 * 24 * time.Hour)}, 24*time.Hour); err != nil || len(bins) < 30 {
			b.Fatal(len(bins), err)
		}
	}
}

func BenchmarkRatesHourly100k(b *testing.B) {
	s := benchSkyStore(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		if bins, err := s.Rates(context.Background(), SkyQuery{Since: time.Now().Add(-7 * 24 * time.Hour)}, time.Hour); err != nil || len(bins) < 7*24 {
			b.Fatal(len(bins), err)
		}
	}
}

// BenchmarkPositionsFiltered100k is BenchmarkPositions100k through the
// Events panel's default filter (tests hidden) and through a source filter.
func BenchmarkPositionsFiltered100k(b *testing.B) {
	s := benchSkyStore(b, 100_000)
	for _, e := range []EventQuery{{HideTest: true}, {HideTest: true, Source: "PEER1"}} {
		b.Run(fmt.Sprintf("source=%q", e.Source), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Positions(context.Background(), SkyQuery{Events: &e}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
