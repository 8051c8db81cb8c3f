// Package seen holds the dedup seen-list: a ristretto cache in front of a
// persistent Store, so that a broker refuses any event it has seen before.
package seen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/voevent"
)

// Verdict is what the seen-list says of an event.
type Verdict int

const (
	// New means the event was not seen before and is now recorded.
	New Verdict = iota
	// Duplicate means the same IVORN with the same bytes was seen before.
	Duplicate
	// Conflict means the IVORN was seen before with different bytes.
	Conflict
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case New:
		return "new"
	case Duplicate:
		return "duplicate"
	case Conflict:
		return "conflict"
	}
	return "unknown"
}

// Record is an event to admit: its identity, where it came from, and what the
// archive keeps of it.
type Record struct {
	// IVORN is the dedup key: a VOEvent's IVORN, or KeyOf's key for other formats.
	IVORN    string
	Digest   [32]byte
	Source   string
	Received time.Time
	Raw      []byte
	// Summary is the alert's summary (design §8), computed before the commit.
	Summary alert.Summary
	// Date is a VOEvent's Who/Date and ParamsCount its number of What//Param,
	// which the archive has kept since its first schema.
	Date        string
	ParamsCount int
	// Format is the raw bytes' format (default VOEvent).
	Format alert.Format
	// Skymap is the compact form (skymap.Map.Compact) of the sky map that a
	// JSON alert embeds, decoded with its summary; nil for none. The
	// archive keeps it, so that the map is never decoded from FITS again.
	Skymap []byte
	// Kafka locates the record it came from, for events read from Kafka.
	Kafka KafkaRef
	// Fields are a VOEvent's fields (nil for other formats): the archive
	// keeps its citations and position for the voeventdb API.
	Fields *voevent.Fields
	// Publish names the Kafka topics the alert is to be published to: a
	// store queues it for each in the transaction that archives it, before
	// the ack (a transactional outbox); nil for none.
	Publish []string
}

// KafkaRef locates a record in a Kafka topic; the zero value means "not from Kafka".
type KafkaRef struct {
	Topic     string
	Partition int32
	Offset    int64
	// Time is the record's Kafka timestamp.
	Time time.Time
}

// KeyOf is the dedup key of an alert that has no IVORN (JSON): "sha256:" and
// the hex SHA-256 of its bytes.
func KeyOf(digest [32]byte) string { return "sha256:" + hex.EncodeToString(digest[:]) }

// NewRecord fills a Record for an event received from source at time at,
// with its summary (notice.SummarizeVOEvent: about 40 µs for a GCN packet,
// a quarter of what parsing it costs).
func NewRecord(ev *voevent.Event, source string, at time.Time) Record {
	r := Record{
		IVORN:    ev.IVORN,
		Digest:   sha256.Sum256(ev.Raw),
		Source:   source,
		Received: at,
		Raw:      ev.Raw,
		Format:   alert.FormatVOEvent,
	}
	vs := voevent.ReadFields(ev)
	r.Summary = notice.SummarizeParsed(ev, vs)
	r.Date, r.ParamsCount = vs.Date, len(vs.Params)
	r.Fields = &vs
	return r
}

// Store is the persistent seen-list (and the archive that is written with it).
type Store interface {
	// Admit records r if its IVORN is absent, atomically with its archive row,
	// and returns New; otherwise it records nothing and returns Duplicate or
	// Conflict with the digest and time of the first sighting.
	Admit(ctx context.Context, r Record) (Verdict, Entry, error)
	// Lookup returns the entry for an IVORN, if present.
	Lookup(ctx context.Context, ivorn string) (Entry, bool, error)
}

// Entry is one row of the persistent seen-list.
type Entry struct {
	IVORN     string
	Digest    [32]byte
	FirstSeen time.Time
	Source    string
	// ID is the archive row of an alert just admitted (New), in the order
	// of admission; 0 when the store keeps no archive or for a refusal.
	ID int64
}

// CaughtBy tells which layer refused a previously seen event.
type CaughtBy string

// The layers that can catch a previously seen event.
const (
	ByCache CaughtBy = "cache"
	ByStore CaughtBy = "store"
)

// Refusal is one recent refusal, for the dedup view.
type Refusal struct {
	IVORN    string
	Source   string
	At       time.Time
	Verdict  Verdict
	CaughtBy CaughtBy
}

// Stats are the counters the dedup view shows.
type Stats struct {
	CacheHits   uint64
	CacheMisses uint64
	StoreHits   uint64
	Admitted    uint64
}

// HitRatio is the share of lookups that the cache answered.
func (s Stats) HitRatio() float64 {
	total := s.CacheHits + s.CacheMisses
	if total == 0 {
		return 0
	}
	return float64(s.CacheHits) / float64(total)
}

// List is the seen-list used by receivers and subscribers.
type List struct {
	store  Store
	cache  *ristretto.Cache[string, cached]
	maxAge time.Duration

	cacheHits, cacheMisses, storeHits, admitted atomic.Uint64

	mu     sync.Mutex
	recent []Refusal
	next   int
}

type cached struct {
	digest [32]byte
	first  time.Time
}

// DefaultMaxAge is how long an entry counts as seen unless configured (30 days).
const DefaultMaxAge = 30 * 24 * time.Hour

// Options configure a List.
type Options struct {
	// MaxAge is how long an entry counts as seen (default 30 days).
	MaxAge time.Duration
	// CacheEntries bounds the cache (default 50,000 IVORNs; the store
	// answers for the others). Its counters take about 2.4 MB at the default.
	CacheEntries int64
	// RecentRefusals is how many refusals Recent keeps (default 100).
	RecentRefusals int
}

// NewList returns a seen-list over store.
func NewList(store Store, opt Options) (*List, error) {
	if opt.MaxAge <= 0 {
		opt.MaxAge = DefaultMaxAge
	}
	if opt.CacheEntries <= 0 {
		opt.CacheEntries = 50_000
	}
	if opt.RecentRefusals <= 0 {
		opt.RecentRefusals = 100
	}
	c, err := ristretto.NewCache(&ristretto.Config[string, cached]{
		NumCounters: opt.CacheEntries * 10,
		MaxCost:     opt.CacheEntries,
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &List{store: store, cache: c, maxAge: opt.MaxAge, recent: make([]Refusal, opt.RecentRefusals)}, nil
}

// Close releases the cache.
func (l *List) Close() { l.cache.Close() }

// MaxAge is how long an entry counts as seen.
func (l *List) MaxAge() time.Duration { return l.maxAge }

// Admit checks r against the cache and then the store, recording it if new.
// The store's answer is atomic: of two racing admissions of one IVORN exactly
// one is New.
func (l *List) Admit(ctx context.Context, r Record) (Verdict, error) {
	v, _, err := l.AdmitID(ctx, r)
	return v, err
}

// AdmitID is Admit that also returns, for a New alert, its archive row id
// (Entry.ID: 0 when the store keeps no archive).
func (l *List) AdmitID(ctx context.Context, r Record) (Verdict, int64, error) {
	if c, ok := l.cache.Get(r.IVORN); ok && time.Since(c.first) < l.maxAge {
		l.cacheHits.Add(1)
		v := Duplicate
		if c.digest != r.Digest {
			v = Conflict
		}
		l.remember(Refusal{IVORN: r.IVORN, Source: r.Source, At: r.Received, Verdict: v, CaughtBy: ByCache})
		return v, 0, nil
	}
	l.cacheMisses.Add(1)
	v, e, err := l.store.Admit(ctx, r)
	if err != nil {
		return v, 0, err
	}
	if v == New {
		l.admitted.Add(1)
		l.put(r.IVORN, cached{digest: r.Digest, first: r.Received})
		return v, e.ID, nil
	}
	l.storeHits.Add(1)
	l.put(e.IVORN, cached{digest: e.Digest, first: e.FirstSeen})
	l.remember(Refusal{IVORN: r.IVORN, Source: r.Source, At: r.Received, Verdict: v, CaughtBy: ByStore})
	return v, 0, nil
}

func (l *List) put(ivorn string, c cached) {
	ttl := l.maxAge - time.Since(c.first)
	if ttl > 0 {
		l.cache.SetWithTTL(ivorn, c, 1, ttl)
	}
}

func (l *List) remember(r Refusal) {
	l.mu.Lock()
	l.recent[l.next%len(l.recent)] = r
	l.next++
	l.mu.Unlock()
}

// Recent returns the most recent refusals, newest first.
func (l *List) Recent() []Refusal {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := min(l.next, len(l.recent))
	out := make([]Refusal, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, l.recent[(l.next-i)%len(l.recent)])
	}
	return out
}

// Stats returns the counters.
func (l *List) Stats() Stats {
	return Stats{
		CacheHits:   l.cacheHits.Load(),
		CacheMisses: l.cacheMisses.Load(),
		StoreHits:   l.storeHits.Load(),
		Admitted:    l.admitted.Load(),
	}
}
