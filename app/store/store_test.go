package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/seen"
)

func open(t testing.TB, dir string, opt Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func record(ivorn string, raw string) seen.Record {
	return seen.Record{
		IVORN: ivorn, Digest: sha256.Sum256([]byte(raw)), Source: "127.0.0.1:1", Received: time.Now(), Raw: []byte(raw),
		Summary: alert.Summary{Format: alert.FormatVOEvent, Key: ivorn, Role: "test", Author: "ivo://a/b", HasPosition: true, RA: 1.5, Dec: -2.5, ErrorDeg: 0.1,
			Test: true, Text: benchText},
		ParamsCount: 1,
	}
}

var ctx = context.Background()

func TestAdmitVerdicts(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{Exclusive: true})
	cases := []struct {
		ivorn, raw string
		want       seen.Verdict
	}{
		{"ivo://a.b/c#1", "one", seen.New},
		{"ivo://a.b/c#1", "one", seen.Duplicate},
		{"ivo://a.b/c#1", "other bytes", seen.Conflict},
		{"ivo://a.b/c#2", "one", seen.New},
	}
	for _, c := range cases {
		v, e, err := s.Admit(ctx, record(c.ivorn, c.raw))
		if err != nil || v != c.want {
			t.Fatalf("Admit(%s, %q) = %v, %v; want %v", c.ivorn, c.raw, v, err, c.want)
		}
		if v != seen.New && (e.IVORN != c.ivorn || e.Digest != sha256.Sum256([]byte("one"))) {
			t.Fatalf("entry %+v", e)
		}
	}
	if n, _ := s.CountEvents(ctx, EventQuery{}); n != 2 {
		t.Fatalf("archive holds %d events, want 2", n)
	}
	row, raw, err := s.GetEvent(ctx, "ivo://a.b/c#1")
	if err != nil || string(raw) != "one" || !row.HasPosition || row.RA != 1.5 || row.ParamsCount != 1 || row.Role != "test" {
		t.Fatalf("GetEvent: %+v %q %v", row, raw, err)
	}
	// Persistence across a restart.
	s.Close()
	s = open(t, dir, Options{Exclusive: true})
	if v, _, _ := s.Admit(ctx, record("ivo://a.b/c#1", "one")); v != seen.Duplicate {
		t.Fatalf("after reopening: %v", v)
	}
	if _, _, err := s.GetEvent(ctx, "ivo://nope/x#1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing event: %v", err)
	}
}

func TestAdmitRaceExactlyOneNew(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	for round := 0; round < 5; round++ {
		ivorn := fmt.Sprintf("ivo://race.test/x#%d", round)
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[seen.Verdict]int{}
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, _, err := s.Admit(ctx, record(ivorn, "same"))
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				counts[v]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if counts[seen.New] != 1 || counts[seen.Duplicate] != 49 {
			t.Fatalf("round %d: %v", round, counts)
		}
	}
	if n, _ := s.CountEvents(ctx, EventQuery{}); n != 5 {
		t.Fatalf("archive holds %d events, want 5", n)
	}
}

func TestAdmitManyDistinct(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	var wg sync.WaitGroup
	for i := 0; i < 400; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, _, err := s.Admit(ctx, record(fmt.Sprintf("ivo://many.test/x#%d", i), "x")); err != nil || v != seen.New {
				t.Errorf("%d: %v %v", i, v, err)
			}
		}()
	}
	wg.Wait()
	if n, _ := s.SeenCount(ctx); n != 400 {
		t.Fatalf("seen-list holds %d", n)
	}
}

func TestDiskFullThenRecovers(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{MaxPages: 80}) // the empty schema takes about 40 pages; each table more adds one or two
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 8000)
	var failed error
	for i := 0; i < 100 && failed == nil; i++ {
		_, _, failed = s.Admit(ctx, record(fmt.Sprintf("ivo://full.test/x#%d", i), big+fmt.Sprint(i)))
	}
	if failed == nil || !strings.Contains(failed.Error(), "full") {
		t.Fatalf("expected a full database, got %v", failed)
	}
	// The writer survives: a later, smaller commit is answered (with an error or not) rather than hanging.
	done := make(chan struct{})
	go func() { s.Admit(ctx, record("ivo://full.test/small#1", "s")); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer hung after a failed commit")
	}
	s.Close()
	// Space returns (no cap): the same store accepts again.
	s = open(t, dir, Options{})
	if v, _, err := s.Admit(ctx, record("ivo://full.test/after#1", big)); err != nil || v != seen.New {
		t.Fatalf("after space returned: %v %v", v, err)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{Exclusive: true})
	if _, err := Open(context.Background(), dir, Options{Exclusive: true}); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second open: %v", err)
	}
	s.Close()
	s2, err := Open(context.Background(), dir, Options{Exclusive: true})
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	s2.Close()
}

func TestMigrations(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	if v, err := s.Version(ctx); err != nil || v != SchemaVersion {
		t.Fatalf("version %d, %v", v, err)
	}
	s.Close()
	s = open(t, dir, Options{})
	if v, _ := s.Version(ctx); v != SchemaVersion {
		t.Fatalf("version after reopen %d", v)
	}
	s.DB().Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion+1))
	s.Close()
	if _, err := Open(context.Background(), dir, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("a newer schema must be refused: %v", err)
	}
}

func TestPruneAndSearch(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	old := record("ivo://old.test/x#1", "old")
	old.Received = time.Now().Add(-31 * 24 * time.Hour)
	s.Admit(ctx, old)
	s.Admit(ctx, record("ivo://new.test/x#1", "new"))
	if res, _ := s.SearchSeen(ctx, "test/x", 10); len(res) != 2 || res[0].IVORN != "ivo://new.test/x#1" {
		t.Fatalf("search: %+v", res)
	}
	n, err := s.Prune(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("prune: %d %v", n, err)
	}
	if _, found, _ := s.Lookup(ctx, "ivo://old.test/x#1"); found {
		t.Fatal("pruned entry still there")
	}
	if v, _, _ := s.Admit(ctx, old); v != seen.New {
		t.Fatalf("a pruned IVORN must be accepted again, got %v", v)
	}
	if c, _ := s.CountEvents(ctx, EventQuery{Text: "old.test"}); c != 2 {
		t.Fatalf("the archive keeps pruned events: %d", c)
	}
}

func TestSettingsAndProfiles(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	if _, ok, _ := s.GetSetting(ctx, "k"); ok {
		t.Fatal("unset setting found")
	}
	s.SetSetting(ctx, "k", "v1")
	s.SetSetting(ctx, "k", "v2")
	if v, ok, _ := s.GetSetting(ctx, "k"); !ok || v != "v2" {
		t.Fatalf("setting %q %v", v, ok)
	}
	id, err := s.SaveProfile(ctx, Profile{Name: "gcn", Host: "h", Port: 8099, Kind: ProfileSubscribe, Filters: []string{"//Who"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveProfile(ctx, Profile{Name: "x", Host: "h", Port: 0, Kind: ProfileSend}); err == nil {
		t.Fatal("port 0 accepted")
	}
	ps, _ := s.ListProfiles(ctx, ProfileSubscribe)
	if len(ps) != 1 || ps[0].ID != id || ps[0].Filters[0] != "//Who" {
		t.Fatalf("profiles %+v", ps)
	}
	if ps, _ := s.ListProfiles(ctx, ProfileSend); len(ps) != 0 {
		t.Fatalf("send profiles %+v", ps)
	}
	if err := s.DeleteProfile(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteProfile(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestOutboxStorage(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	ids, err := s.EnqueueBatch(ctx, []OutboxItem{{"h:1", "ivo://a.b/c#1", []byte("1")}, {"h:1", "ivo://a.b/c#2", []byte("2")}, {"h:2", "ivo://a.b/c#3", []byte("3")}})
	if err != nil || len(ids) != 3 {
		t.Fatal(ids, err)
	}
	e, _ := s.NextDue(ctx, "h:1", time.Now())
	if e == nil || e.ID != ids[0] {
		t.Fatalf("next due %+v", e)
	}
	s.MarkSending(ctx, e.ID)
	s.MarkRetry(ctx, e.ID, time.Now().Add(time.Hour), "connection refused")
	if e, _ := s.NextDue(ctx, "h:1", time.Now()); e != nil {
		t.Fatalf("an entry waiting for its retry blocks its destination, but got %+v", e)
	}
	if e, _ := s.NextQueued(ctx, "h:1"); e == nil || e.ID != ids[0] || e.Attempts != 1 || e.LastError != "connection refused" {
		t.Fatalf("next queued %+v", e)
	}
	s.Retry(ctx, ids[0])
	s.MarkSending(ctx, ids[0])
	s.MarkSent(ctx, ids[0], "")
	s.MarkSending(ctx, ids[1])
	// A crash here leaves ids[1] in "sending": ResetSending puts it back.
	if n, _ := s.ResetSending(ctx); n != 1 {
		t.Fatalf("reset %d", n)
	}
	s.MarkRefused(ctx, ids[1], "Event rejected: Previously seen by this broker")
	if err := s.Cancel(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	counts, _ := s.OutboxCounts(ctx)
	if counts[StateSent] != 1 || counts[StateRefused] != 1 || counts[StateCancelled] != 1 {
		t.Fatalf("counts %v", counts)
	}
	if d, _ := s.Destinations(ctx); len(d) != 0 {
		t.Fatalf("destinations with queued work: %v", d)
	}
	if err := s.Delete(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOutbox(ctx, ids[2]); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

// TestProfileKindValidated: a profile's kind is checked when it is saved and
// when it is read back; a stored row with another kind (a newer Starling's,
// or a damaged file) is an error that names the profile, not a profile of
// no known use.
func TestProfileKindValidated(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	if _, err := s.SaveProfile(ctx, Profile{Name: "odd", Host: "h", Port: 1, Kind: "gossip"}); err == nil || !strings.Contains(err.Error(), `not "gossip"`) {
		t.Fatalf("saving kind gossip: %v", err)
	}
	if _, err := s.SaveProfile(ctx, Profile{Name: "home", Host: "h", Port: 8098, Kind: ProfileSend}); err != nil {
		t.Fatal(err)
	}
	if ps, err := s.ListProfiles(ctx, AnyProfile); err != nil || len(ps) != 1 || ps[0].Kind != ProfileSend {
		t.Fatalf("profiles %+v, %v", ps, err)
	}
	if _, err := s.ListProfiles(ctx, "gossip"); err == nil {
		t.Error("listing kind gossip is not refused")
	}
	if _, err := s.DB().Exec(`UPDATE profiles SET kind = 'gossip' WHERE name = 'home'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListProfiles(ctx, AnyProfile); err == nil || !strings.Contains(err.Error(), `profile "home"`) || !strings.Contains(err.Error(), "gossip") {
		t.Errorf("reading a profile of kind gossip: %v", err)
	}
	if _, err := s.ProfileByName(ctx, "home"); err == nil {
		t.Error("ProfileByName returns a profile of kind gossip")
	}
}
