package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/seen"
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
func (c *Core) Positions(ctx context.Context, q SkyQuery) ([]Position, error) {
	return c.store.Positions(ctx, q)
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
func (c *Core) Rates(ctx context.Context, q SkyQuery, width time.Duration) ([]RateBin, error) {
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

// EventByID reads one archived alert and its raw bytes.
func (c *Core) EventByID(ctx context.Context, id int64) (EventRow, []byte, error) {
	return c.store.EventByID(ctx, id)
}

// EventLabel names an archived alert in a few words: trigger, type, mission, or its key.
func (c *Core) EventLabel(ctx context.Context, id int64) (string, error) {
	r, _, err := c.store.EventByID(ctx, id)
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

// skymapKey names an alert of one store.
type skymapKey struct {
	s  *store.Store
	id int64
}

// skymapCache keeps the last few decoded sky maps by alert.
var skymapCache = struct {
	sync.Mutex
	keys []skymapKey
	maps map[skymapKey]*skymap.Map
}{maps: map[skymapKey]*skymap.Map{}}

// maxCachedSkymaps bounds skymapCache (a map is a few MB decoded).
const maxCachedSkymaps = 6

// EventSkymap decodes the sky map embedded in an archived JSON alert (nil,
// nil when it has none); decoded maps are cached. It is slow: call it off the UI goroutine.
func (c *Core) EventSkymap(ctx context.Context, id int64) (*skymap.Map, error) {
	key := skymapKey{c.store, id}
	skymapCache.Lock()
	m, ok := skymapCache.maps[key]
	skymapCache.Unlock()
	if ok {
		return m, nil
	}
	row, raw, err := c.store.EventByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if row.Format == "json" && row.Skymap != nil {
		fits, err := skymap.FromAlertJSON(raw)
		if err != nil && !errors.Is(err, skymap.ErrNoSkymap) {
			return nil, err
		}
		if err == nil {
			if m, err = skymap.Read(fits); err != nil {
				return nil, err
			}
		}
	}
	skymapCache.Lock()
	if _, ok := skymapCache.maps[key]; !ok {
		skymapCache.keys = append(skymapCache.keys, key)
		if len(skymapCache.keys) > maxCachedSkymaps {
			delete(skymapCache.maps, skymapCache.keys[0])
			skymapCache.keys = skymapCache.keys[1:]
		}
	}
	skymapCache.maps[key] = m
	skymapCache.Unlock()
	return m, nil
}

// ArchiveJSON archives a JSON alert (a GCN notice, an igwn.gwalert) as if
// read from topic, through the subscriptions' path (seen-list, archive, and
// the watchers of WatchSubscriptionEvents); the core must run subscriptions.
func (c *Core) ArchiveJSON(ctx context.Context, raw []byte, topic string) error {
	if c.subs.b == nil {
		return errors.New("subscriptions are not running")
	}
	out := c.subs.b.ProcessJSON(ctx, raw, broker.Origin{Source: "kafka " + topic, Kafka: seen.KafkaRef{Topic: topic, Time: time.Now()}})
	if out.StoreErr != nil {
		return out.StoreErr
	}
	if !out.Accepted {
		return errors.New(out.Reason)
	}
	c.archived()
	return nil
}

// watchArchive tells the WatchSubscriptionEvents watchers of every event
// that b (the local broker) accepts.
func (c *Core) watchArchive(b *broker.Broker) {
	b.Watch(func(a broker.Activity) {
		if a.Kind == broker.ActivityAck {
			c.archived()
		}
		c.changed(activityChange(a) | ChangeBroker)
	})
}

// archived calls the WatchSubscriptionEvents watchers and tells the change
// feed.
func (c *Core) archived() {
	c.kafka.archived.Tell(struct{}{})
	c.changed(ChangeArchive)
}

// LastEventID is the newest archived alert's id (0 for none); heartbeats
// do not count, so that a view that reloads when it changes sleeps
// through them.
func (c *Core) LastEventID(ctx context.Context) (int64, error) { return c.store.LastEventID(ctx) }

// Archive commits a prepared record (raw bytes and their summary) through
// the seen-list into the archive, as the broker does: for tools and tests
// that make alerts without a wire.
func (c *Core) Archive(ctx context.Context, r seen.Record) (seen.Verdict, error) {
	return c.seen.Admit(ctx, r)
}
