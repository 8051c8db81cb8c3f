package ui

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/starling-broker/starling/app"
)

// countCache keeps the true count of each filter shown, with the newest
// archive id it covers, so that an arrival costs a count of the new rows
// only (the archive only grows).
type countCache struct {
	mu sync.Mutex
	m  map[string]countEntry
}

type countEntry struct {
	n, upTo int64
}

// count returns how many archived alerts f selects: the first time a
// full count, then the count of the alerts archived since, added.
func (c *countCache) count(ctx context.Context, core *app.Core, f app.EventFilter) (int64, error) {
	key := countKey(f)
	c.mu.Lock()
	e := c.m[key]
	c.mu.Unlock()
	g := f
	g.Sort, g.Asc, g.BeforeID, g.AfterID = "", false, 0, e.upTo
	n, top, err := core.Archive().CountAt(ctx, g.Query(app.EventCursor{}, 0))
	if err != nil {
		return 0, err
	}
	e = countEntry{n: e.n + n, upTo: top}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]countEntry{}
	}
	if old, ok := c.m[key]; !ok || old.upTo < top {
		c.m[key] = e
	}
	c.mu.Unlock()
	return e.n, nil
}

// countKey names a filter's rows: its order does not matter, and a time
// range relative to now (Last) is the same range for a minute; an exact
// range is itself.
func countKey(f app.EventFilter) string {
	f.Sort, f.Asc, f.BeforeID, f.AfterID = "", false, 0, 0
	if f.Last > 0 {
		f.From, f.To = f.From.Truncate(time.Minute), time.Time{}
	}
	b, _ := json.Marshal(f)
	return string(b)
}
