package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSkyFilterMatchesEventsList checks that Positions and Rates with an
// archive-list query select exactly the rows ListEvents returns for it.
func TestSkyFilterMatchesEventsList(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(5, 6))
	types := []string{"Preliminary", "Retraction", "Initial"}
	sources := [][2]string{{"kafka gcn", "igwn.gwalert"}, {"kafka gcn", "gcn.notices.swift.bat"}, {"127.0.0.1:8099", ""}}
	roles := []string{"observation", "test"}
	for i := 0; i < 400; i++ {
		src := sources[r.IntN(len(sources))]
		var ra, dec any
		if r.IntN(4) != 0 {
			ra, dec = r.Float64()*360, r.Float64()*180-90
		}
		_, err := s.db.ExecContext(ctx, `INSERT INTO events(ivorn, role, received_at, source, topic, test, alert_type, ra, dec, err) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			fmt.Sprintf("ivo://test/skyfilter#%d", i), roles[r.IntN(2)], t0.Add(time.Duration(r.Int64N(int64(72*time.Hour)))).UnixMilli(),
			src[0], src[1], r.IntN(5) == 0, types[r.IntN(len(types))], ra, dec)
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, q := range []EventQuery{
		{},
		{HideTest: true},
		{AlertType: "Retraction"},
		{Source: "GWALERT"},
		{Source: "gcn", AlertType: "Preliminary", HideTest: true},
		{Role: "test"},
		{From: t0.Add(10 * time.Hour), To: t0.Add(30 * time.Hour)},
		{Cone: &Cone{RA: 120, Dec: 10, Radius: 40}},
		{Text: "#1", HideTest: true},
	} {
		rows, err := s.ListEvents(ctx, EventQuery{Text: q.Text, Role: q.Role, Source: q.Source, AlertType: q.AlertType, From: q.From, To: q.To,
			Cone: q.Cone, HideTest: q.HideTest, Limit: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		bySource := map[string]int{}
		for _, row := range rows {
			if row.HasPosition {
				want = append(want, row.ID)
			}
			src := row.Source
			if row.Topic != "" {
				src = row.Topic
			}
			bySource[src]++
		}
		slices.Sort(want)
		sq := SkyQuery{Events: &q}
		pos, err := s.Positions(ctx, sq)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, p := range pos {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%+v: positions %d ids, the list %d with a position", q, len(got), len(want))
		}
		bins, err := s.Rates(ctx, sq, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		counted := map[string]int{}
		for _, b := range bins {
			counted[b.Source] += b.Count
		}
		if fmt.Sprint(counted) != fmt.Sprint(bySource) {
			t.Errorf("%+v: rates %v, the list %v", q, counted, bySource)
		}
		if len(rows) == 0 || i > 0 && len(rows) == 400 {
			t.Errorf("%+v: %d rows, the filter should select some", q, len(rows))
		}
	}
}
