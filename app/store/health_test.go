package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
)

// synthEnd is the synthetic archives' last reception time, fixed so that
// their files are the same from run to run.
var synthEnd = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// writeArchive writes an archive of n synthetic events in dir and closes it.
func writeArchive(t testing.TB, dir string, n int) {
	t.Helper()
	s, err := Open(context.Background(), dir, Options{NoBackfill: true, Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FillSynthetic(ctx, n, synthEnd, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName+"-wal")); err == nil {
		t.Fatal("the WAL outlived the last connection: the damage would not reach the file")
	}
}

// Damage writes n random bytes (seeded: the same every run) at the middle
// of dir's database, as a failing disk or a stray write would.
func damage(t testing.TB, dir string, n int) {
	t.Helper()
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	if fi.Size() < int64(4*n) {
		t.Fatalf("the archive is %d bytes: too small to damage %d in the middle", fi.Size(), n)
	}
	junk := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(r.Uint32())
	}
	if _, err := f.WriteAt(junk, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// damagedArchive is a 2,000-event archive with 64 KiB of random bytes
// written in its middle.
func damagedArchive(t testing.TB) string {
	dir := t.TempDir()
	writeArchive(t, dir, 2000)
	damage(t, dir, 64<<10)
	return dir
}

func TestOpenFindsDamage(t *testing.T) {
	dir := damagedArchive(t)
	s := open(t, dir, Options{Exclusive: true})
	h := s.Health()
	if h.State != HealthDamaged || h.Detail == "" || h.At.IsZero() {
		t.Fatalf("health after opening a damaged archive: %+v", h)
	}
	t.Logf("found: %s; %d problems, first %q", h.Detail, len(h.Problems), h.Problems)
	_, _, err := s.Admit(ctx, record("ivo://a.b/c#new", "new"))
	if !errors.Is(err, seen.ErrArchiveDamaged) {
		t.Fatalf("Admit into a damaged archive: %v", err)
	}
}

func TestOpenFindsSoundArchiveOK(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, 2000)
	s := open(t, dir, Options{Exclusive: true})
	if h := s.Health(); h.State != HealthOK {
		t.Fatalf("health of a sound archive: %+v", h)
	}
	if v, _, err := s.Admit(ctx, record("ivo://a.b/c#new", "new")); err != nil || v != seen.New {
		t.Fatalf("Admit: %v %v", v, err)
	}
}

// TestDamageMetByAQueryIsSticky: a store opened without the check (as the
// commands open it) finds the damage when a read meets it, and from then on
// refuses every admission.
func TestDamageMetByAQueryIsSticky(t *testing.T) {
	dir := damagedArchive(t)
	s := open(t, dir, Options{})
	if h := s.Health(); h.State != HealthUnknown {
		t.Fatalf("health before any read: %+v", h)
	}
	var met error
	for _, read := range []func() error{
		func() error { _, err := s.EventsAfter(ctx, 0, 1_000_000); return err },
		func() error { _, err := s.ListEvents(ctx, EventQuery{Text: "Swift", Limit: 1_000_000}); return err },
		func() error { _, err := s.CountEvents(ctx, EventQuery{Text: "trigger"}); return err },
		func() error { _, err := s.TriggerEvents(ctx, time.Time{}); return err },
	} {
		if err := read(); err != nil {
			met = err
			break
		}
	}
	if !errors.Is(met, seen.ErrArchiveDamaged) {
		t.Fatalf("reads of a damaged archive: %v", met)
	}
	if !strings.Contains(met.Error(), "malformed") {
		t.Errorf("the error does not say what was found: %v", met)
	}
	if h := s.Health(); h.State != HealthDamaged {
		t.Fatalf("health after a read met damage: %+v", h)
	}
	if _, _, err := s.Admit(ctx, record("ivo://a.b/c#new", "new")); !errors.Is(err, seen.ErrArchiveDamaged) {
		t.Fatalf("Admit after a read met damage: %v", err)
	}
}

// TestBackgroundCheckAdmitsMeanwhile: a check in the background leaves the
// admissions going, and ends ok; Close stops one that still runs.
func TestBackgroundCheckAdmitsMeanwhile(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, 5_000)
	var mu sync.Mutex
	var states []HealthState
	s := open(t, dir, Options{Exclusive: true, CheckWaitBytes: -1})
	s.WatchHealth(func(h Health) { mu.Lock(); states = append(states, h.State); mu.Unlock() })
	duringCheck := 0
	for i := 0; ; i++ {
		checking := s.Health().State == HealthChecking
		v, _, err := s.Admit(ctx, record("ivo://a.b/c#"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+time.Now().Format(time.RFC3339Nano), "raw"))
		if err != nil || v != seen.New {
			t.Fatalf("admission %d during the check: %v %v", i, v, err)
		}
		if checking {
			duringCheck++
		}
		if !checking {
			break
		}
	}
	if h := s.Health(); h.State != HealthOK {
		t.Fatalf("health after the check: %+v", h)
	}
	mu.Lock()
	if len(states) > 0 && states[len(states)-1] != HealthOK { // none if the check ended before WatchHealth
		t.Errorf("WatchHealth told %v", states)
	}
	mu.Unlock()
	t.Logf("%d admissions while the check ran", duringCheck)
	// Close while a check runs: it returns, the check interrupted.
	s.Close()
	s2, err := Open(context.Background(), dir, Options{Exclusive: true, CheckWaitBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if h := s2.Health(); h.State == HealthChecking {
		t.Fatalf("health after Close: %+v", h)
	}
}
