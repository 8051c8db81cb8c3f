package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/skymap"
)

// SkyQuery selects the alerts the sky map and the rate chart show.
type SkyQuery = store.SkyQuery

// SkyQuery is the sky map's and rate chart's query for the alerts that f
// selects, the archive list's rows: received in f's range, ending at now
// when f has no end; when f has no range at all, in the span before now
// (0: all time).
func (f EventFilter) SkyQuery(now time.Time, span time.Duration) SkyQuery {
	if f.Last > 0 && f.From.IsZero() {
		f = f.At(now)
	}
	e := f.Query(store.Cursor{}, 0)
	q := SkyQuery{Since: f.From, Until: f.To, Events: &e}
	if f.From.IsZero() && f.To.IsZero() && span > 0 {
		q.Since = now.Add(-span)
	}
	if q.Until.IsZero() {
		q.Until = now
	}
	return q
}

// HasRange reports whether f bounds the time received.
func (f EventFilter) HasRange() bool { return !f.From.IsZero() || !f.To.IsZero() || f.Last > 0 }

// Position is an archived alert's id, RA, Dec and error radius (degrees).
type Position = store.Position

// RateBin is a count of alerts of one source in one time bucket.
type RateBin = store.RateBin

// Positions returns every alert with a position that q selects, in one query.
func (ar *Archive) Positions(ctx context.Context, q SkyQuery) ([]Position, error) {
	return ar.c.store.Positions(ctx, q)
}

// RateWidth is the bucket width for a time range: an hour up to three days, else a day.
func RateWidth(since, until time.Time) time.Duration {
	if !since.IsZero() && until.Sub(since) <= 72*time.Hour {
		return time.Hour
	}
	return 24 * time.Hour
}

// Rates counts the alerts that q selects per bucket of width and per
// source; VTP peers count by host ("vtp 127.0.0.1"), whatever their port.
func (ar *Archive) Rates(ctx context.Context, q SkyQuery, width time.Duration) ([]RateBin, error) {
	c := ar.c
	bins, err := c.store.Rates(ctx, q, width)
	if err != nil {
		return nil, err
	}
	out := bins[:0]
	at := map[RateBin]int{} // (start, source) → index in out; Count zero
	for _, b := range bins {
		if host, port, err := net.SplitHostPort(b.Source); err == nil && port != "" && strings.Trim(port, "0123456789") == "" {
			b.Source = "vtp " + host
		}
		key := RateBin{Start: b.Start, Source: b.Source}
		if i, ok := at[key]; ok {
			out[i].Count += b.Count
			continue
		}
		at[key] = len(out)
		out = append(out, b)
	}
	return out, nil
}

// Label names an archived alert in a few words: trigger, type, mission, or its key.
func (ar *Archive) Label(ctx context.Context, id int64) (string, error) {
	c := ar.c
	r, _, err := c.store.GetEventByID(ctx, id)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, s := range []string{r.Trigger, r.AlertType, r.Mission} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, r.IVORN)
	}
	if r.HasPosition {
		parts = append(parts, fmt.Sprintf("RA %.2f° Dec %+.2f°", r.RA, r.Dec))
	}
	return strings.Join(parts, " · "), nil
}

// skymaps holds the sky maps a Core has read lately, by alert id: it lives
// and dies with the Core (and its store), never longer.
type skymaps struct {
	mu   sync.Mutex
	ids  []int64 // oldest first
	maps map[int64]*skymap.Map
	// fitsDecodes counts the maps decoded from an alert's FITS file, for
	// alerts whose compact map the archive lacks: tests check that
	// selecting an archived alert decodes none.
	fitsDecodes atomic.Int64
}

// maxCachedSkymaps bounds the maps a Core keeps read (a map is a few MB).
const maxCachedSkymaps = 6

// get is the map read for alert id, if kept.
func (c *skymaps) get(id int64) (*skymap.Map, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.maps[id]
	return m, ok
}

// put keeps the map read for alert id (nil: it has none), forgetting the
// oldest beyond maxCachedSkymaps.
func (c *skymaps) put(id int64, m *skymap.Map) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.maps == nil {
		c.maps = map[int64]*skymap.Map{}
	}
	if _, ok := c.maps[id]; !ok {
		c.ids = append(c.ids, id)
		if len(c.ids) > maxCachedSkymaps {
			delete(c.maps, c.ids[0])
			c.ids = c.ids[1:]
		}
	}
	c.maps[id] = m
}

// Skymap returns the sky map of an archived JSON alert (nil, nil when
// it has none), read from the compact form the archive keeps of it: no
// FITS is decoded, except for an alert archived before the archive kept
// compact maps and not back-filled yet (a read-only store). The last few
// maps read are kept by the Core. Call it off the UI goroutine.
func (ar *Archive) Skymap(ctx context.Context, id int64) (*skymap.Map, error) {
	c := ar.c
	if m, ok := c.skymaps.get(id); ok {
		return m, nil
	}
	compact, found, err := c.store.EventSkymap(ctx, id)
	if err != nil {
		return nil, err
	}
	var m *skymap.Map
	if found {
		if m, err = skymap.ReadCompact(compact); err != nil {
			return nil, fmt.Errorf("archived sky map of alert %d: %w", id, err)
		}
	} else if m, err = c.decodeEventSkymap(ctx, id); err != nil {
		return nil, err
	}
	c.skymaps.put(id, m)
	return m, nil
}

// decodeEventSkymap decodes the sky map embedded in an archived alert's raw
// bytes, for alerts whose compact map the archive lacks; nil when the alert
// has no readable map summary.
func (c *Core) decodeEventSkymap(ctx context.Context, id int64) (*skymap.Map, error) {
	row, raw, err := c.store.GetEventByID(ctx, id)
	if err != nil || row.Format != "json" || row.Skymap == nil {
		return nil, err
	}
	c.skymaps.fitsDecodes.Add(1)
	fits, err := skymap.FromAlertJSON(raw)
	if errors.Is(err, skymap.ErrNoSkymap) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return skymap.Read(fits)
}

// LastID is the newest archived alert's id (0 for none); heartbeats
// do not count, so that a view that reloads when it changes sleeps
// through them.
func (ar *Archive) LastID(ctx context.Context) (int64, error) { return ar.c.store.LastEventID(ctx) }
