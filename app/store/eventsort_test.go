package store

import (
	"context"
	"math"
	"testing"
	"time"
)

func synthStore(t *testing.T, n int) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.FillSynthetic(context.Background(), n, time.Now(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	return s
}

// pageAll reads every row of q by keyset pages of 97.
func pageAll(t *testing.T, s *Store, q EventQuery) []EventRow {
	t.Helper()
	var all []EventRow
	q.Limit = 97
	for {
		rows, err := s.ListEvents(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rows...)
		if len(rows) < q.Limit {
			return all
		}
		q.After = CursorAfter(q.Sort, rows[len(rows)-1])
	}
}

func TestKeysetPagingEverySortReachesTheOldest(t *testing.T) {
	s := synthStore(t, 1000)
	for _, sort := range []string{SortReceived, SortEventTime, SortType, SortTrigger} {
		for _, asc := range []bool{false, true} {
			rows := pageAll(t, s, EventQuery{Sort: sort, Asc: asc})
			if len(rows) != 1000 {
				t.Fatalf("sort %q asc %v: %d rows, want 1000", sort, asc, len(rows))
			}
			seen := map[int64]bool{}
			for i, r := range rows {
				if seen[r.ID] {
					t.Fatalf("sort %q: id %d twice", sort, r.ID)
				}
				seen[r.ID] = true
				if i == 0 {
					continue
				}
				a, b := CursorAfter(sort, rows[i-1]), CursorAfter(sort, r)
				if less(b, a) == asc && less(a, b) != asc {
					t.Fatalf("sort %q asc %v: row %d (%v) out of order after %v", sort, asc, i, b, a)
				}
			}
			if sort == SortReceived && !asc && rows[len(rows)-1].ID != 1 {
				t.Errorf("newest-first paging ends at id %d, not the oldest (1)", rows[len(rows)-1].ID)
			}
		}
	}
}

func less(a, b Cursor) bool {
	switch x := a.Key.(type) {
	case int64:
		y := b.Key.(int64)
		return x < y || x == y && a.ID < b.ID
	case string:
		y := b.Key.(string)
		return x < y || x == y && a.ID < b.ID
	}
	return false
}

func TestFiltersHideTestTypeAndCone(t *testing.T) {
	s := synthStore(t, 2000)
	ctx := context.Background()
	count := func(q EventQuery) int64 {
		n, err := s.CountEvents(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if rows := pageAll(t, s, q); int64(len(rows)) != n {
			t.Fatalf("%+v: count %d but %d rows", q, n, len(rows))
		}
		return n
	}
	if n := count(EventQuery{HideTest: true}); n != 1800 {
		t.Errorf("hiding tests leaves %d, want 1800", n)
	}
	if n := count(EventQuery{AlertType: "Retraction"}); n != 100 {
		t.Errorf("%d retractions, want 100", n)
	}
	all := pageAll(t, s, EventQuery{})
	for _, c := range []Cone{{RA: 10, Dec: 20, Radius: 15}, {RA: 355, Dec: -5, Radius: 10}, {RA: 180, Dec: 85, Radius: 12}} {
		want := 0
		for _, r := range all {
			if sep(c.RA, c.Dec, r.RA, r.Dec) <= c.Radius {
				want++
			}
		}
		if want == 0 {
			t.Fatalf("cone %+v: no alert inside: a useless test", c)
		}
		if n := count(EventQuery{Cone: &c}); n != int64(want) {
			t.Errorf("cone %+v: %d alerts, want %d", c, n, want)
		}
	}
	if n := count(EventQuery{Text: "Preliminary"}); n != 200 {
		t.Errorf("search: %d, want 200", n)
	}
	if n := count(EventQuery{Text: "Preliminary", HideTest: true, Sort: SortEventTime}); n != 100 {
		t.Errorf("search and filter: %d, want 100", n)
	}
}

// sep is the great-circle distance in degrees.
func sep(ra1, dec1, ra2, dec2 float64) float64 {
	r := math.Pi / 180
	c := math.Sin(dec1*r)*math.Sin(dec2*r) + math.Cos(dec1*r)*math.Cos(dec2*r)*math.Cos((ra1-ra2)*r)
	return math.Acos(math.Min(1, c)) / r
}
