package seen

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"
)

// memStore is a seen.Store in memory, for tests.
type memStore struct {
	mu    sync.Mutex
	m     map[string]Entry
	fail  error
	calls int
}

func (s *memStore) Admit(_ context.Context, r Record) (Verdict, Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return 0, Entry{}, s.fail
	}
	if e, ok := s.m[r.IVORN]; ok {
		if e.Digest == r.Digest {
			return Duplicate, e, nil
		}
		return Conflict, e, nil
	}
	s.m[r.IVORN] = Entry{IVORN: r.IVORN, Digest: r.Digest, FirstSeen: r.Received, Source: r.Source}
	return New, Entry{}, nil
}

func (s *memStore) Lookup(_ context.Context, ivorn string) (Entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[ivorn]
	return e, ok, nil
}

func rec(ivorn, raw string) Record {
	return Record{IVORN: ivorn, Digest: sha256.Sum256([]byte(raw)), Source: "peer", Received: time.Now()}
}

func waitCached(t *testing.T, l *List, ivorn string) {
	t.Helper()
	l.cache.Wait()
	if _, ok := l.cache.Get(ivorn); !ok {
		t.Skip("ristretto declined to admit the entry (its admission policy may drop sets)")
	}
}

func TestListLayers(t *testing.T) {
	st := &memStore{m: map[string]Entry{}}
	l, err := NewList(st, Options{CacheEntries: 100, RecentRefusals: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	if v, err := l.Admit(ctx, rec("ivo://a/b#1", "x")); err != nil || v != New {
		t.Fatalf("first: %v %v", v, err)
	}
	waitCached(t, l, "ivo://a/b#1")
	if v, _ := l.Admit(ctx, rec("ivo://a/b#1", "x")); v != Duplicate {
		t.Fatalf("resend: %v", v)
	}
	if v, _ := l.Admit(ctx, rec("ivo://a/b#1", "y")); v != Conflict {
		t.Fatalf("other bytes: %v", v)
	}
	if st.calls != 1 {
		t.Fatalf("the cache should have answered the resends; the store was asked %d times", st.calls)
	}
	// An entry only the store knows (the cache is empty after a restart).
	st.m["ivo://a/b#2"] = Entry{IVORN: "ivo://a/b#2", Digest: sha256.Sum256([]byte("z")), FirstSeen: time.Now()}
	if v, _ := l.Admit(ctx, rec("ivo://a/b#2", "z")); v != Duplicate {
		t.Fatalf("store hit: %v", v)
	}
	s := l.Stats()
	if s.CacheHits != 2 || s.StoreHits != 1 || s.Admitted != 1 || s.CacheMisses != 2 {
		t.Fatalf("stats %+v", s)
	}
	if r := s.HitRatio(); r != 0.5 {
		t.Fatalf("hit ratio %v", r)
	}
	recent := l.Recent()
	if len(recent) != 2 || recent[0].IVORN != "ivo://a/b#2" || recent[0].CaughtBy != ByStore || recent[1].Verdict != Conflict || recent[1].CaughtBy != ByCache {
		t.Fatalf("recent %+v", recent)
	}
}

func TestListStoreErrorIsNotCached(t *testing.T) {
	st := &memStore{m: map[string]Entry{}, fail: errors.New("disk full")}
	l, _ := NewList(st, Options{})
	defer l.Close()
	if _, err := l.Admit(context.Background(), rec("ivo://a/b#1", "x")); err == nil {
		t.Fatal("a store error must reach the caller")
	}
	st.fail = nil
	if v, err := l.Admit(context.Background(), rec("ivo://a/b#1", "x")); err != nil || v != New {
		t.Fatalf("after the store recovers: %v %v", v, err)
	}
}

func TestListExpiry(t *testing.T) {
	st := &memStore{m: map[string]Entry{}}
	l, _ := NewList(st, Options{MaxAge: time.Hour})
	defer l.Close()
	old := rec("ivo://a/b#old", "x")
	old.Received = time.Now().Add(-2 * time.Hour)
	// Entries older than MaxAge are not cached, so the store decides.
	l.put(old.IVORN, cached{digest: old.Digest, first: old.Received})
	l.cache.Wait()
	if _, ok := l.cache.Get(old.IVORN); ok {
		t.Fatal("an expired entry was cached")
	}
}
