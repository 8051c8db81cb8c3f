package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
)

func TestRecoverDamagedArchive(t *testing.T) {
	dir := damagedArchive(t)
	src := filepath.Join(dir, FileName)
	problems, err := CheckFile(ctx, src, true)
	if err != nil || len(problems) == 0 {
		t.Fatalf("integrity_check of the damaged archive: %v, %q", err, problems)
	}
	dst := filepath.Join(t.TempDir(), FileName)
	rep, err := Recover(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := rep.Table("events")
	t.Logf("events: %d copied, %d lost; raw %+v; seen rebuilt %d; orphans %d, without raw %d; %s",
		ev.Copied, ev.Lost, rep.Table("event_raw"), rep.SeenRebuilt, rep.Orphans, rep.NoRaw, rep.Took)
	if ev.Copied < 2000/2 || ev.Copied > 2000 || ev.Copied+ev.Lost > 2000 {
		t.Fatalf("recovered %d events (%d lost) of 2000", ev.Copied, ev.Lost)
	}
	if problems, err := CheckFile(ctx, dst, true); err != nil || len(problems) > 0 {
		t.Fatalf("the recovered file: %v %q", err, problems)
	}
	if _, err := Recover(ctx, src, dst, nil); err == nil {
		t.Fatal("Recover overwrote a file")
	}
	s := open(t, filepath.Dir(dst), Options{Exclusive: true})
	if h := s.Health(); h.State != HealthOK {
		t.Fatalf("health of the recovered archive: %+v", h)
	}
	if n, err := s.CountEvents(ctx, EventQuery{}); err != nil || n != ev.Copied {
		t.Fatalf("the recovered archive holds %d events (%v); Recover said %d", n, err, ev.Copied)
	}
	// Searchable again, and deduplicated: the synthetic archive had no
	// seen-list, so every alert with its raw bytes got an entry back.
	if n, err := s.CountEvents(ctx, EventQuery{Text: "Swift"}); err != nil || n == 0 {
		t.Fatalf("search in the recovered archive: %d, %v", n, err)
	}
	if n, _ := s.SeenCount(ctx); n != rep.SeenRebuilt || n != ev.Copied-rep.NoRaw {
		t.Fatalf("seen-list holds %d; rebuilt %d of %d events (%d without raw)", n, rep.SeenRebuilt, ev.Copied, rep.NoRaw)
	}
	rows, err := s.EventsAfter(ctx, 0, 1)
	if err != nil || len(rows) != 1 {
		t.Fatal(err)
	}
	if v, _, err := s.Admit(ctx, record(rows[0].IVORN, "other")); err != nil || v == seen.New {
		t.Fatalf("a recovered alert admitted again: %v %v", v, err)
	}
}

func TestCheckFileSoundAndNotADatabase(t *testing.T) {
	dir := t.TempDir()
	writeArchive(t, dir, 50)
	if p, err := CheckFile(ctx, filepath.Join(dir, FileName), true); err != nil || len(p) > 0 {
		t.Fatalf("sound archive: %v %q", err, p)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 1000)), 0o644)
	if p, err := CheckFile(ctx, junk, true); err != nil || len(p) == 0 {
		t.Fatalf("junk: %v %q", err, p)
	}
	if _, err := CheckFile(ctx, filepath.Join(dir, "absent.db"), true); err == nil {
		t.Fatal("no error for a missing file")
	}
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{Exclusive: true})
	admit := func(from, to int) {
		for i := from; i < to; i++ {
			if _, _, err := s.Admit(ctx, record("ivo://a.b/c#"+string(rune('a'+i)), "raw")); err != nil {
				t.Fatal(err)
			}
		}
	}
	admit(0, 10)
	path, err := s.Backup(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(path), "starling-") || filepath.Dir(path) != filepath.Join(dir, BackupDir) {
		t.Fatalf("backup at %s", path)
	}
	admit(10, 15)
	if _, err := Replace(dir, path, "before-restore"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Replace while the store holds the directory: %v", err)
	}
	s.Close()
	if p, err := CheckFile(ctx, path, true); err != nil || len(p) > 0 {
		t.Fatalf("the backup: %v %q", err, p)
	}
	aside, err := Replace(dir, path, "before-restore")
	if err != nil {
		t.Fatal(err)
	}
	for _, stale := range []string{FileName + "-wal", FileName + "-shm"} {
		if _, err := os.Stat(filepath.Join(dir, stale)); err == nil {
			t.Errorf("%s left beside the restored file", stale)
		}
	}
	r := open(t, dir, Options{Exclusive: true})
	if n, _ := r.CountEvents(ctx, EventQuery{}); n != 10 {
		t.Fatalf("restored archive holds %d events, want the backup's 10", n)
	}
	r.Close()
	// The file set aside holds all 15.
	os.MkdirAll(filepath.Join(dir, "aside"), 0o755)
	if err := copyFile(aside, filepath.Join(dir, "aside", FileName)); err != nil {
		t.Fatal(err)
	}
	if exists(aside + "-wal") {
		copyFile(aside+"-wal", filepath.Join(dir, "aside", FileName+"-wal"))
	}
	a := open(t, filepath.Join(dir, "aside"), Options{})
	if n, _ := a.CountEvents(ctx, EventQuery{}); n != 15 {
		t.Fatalf("the file set aside holds %d events, want 15", n)
	}
}

func TestBackupKeepsTheNewest(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{Exclusive: true})
	os.MkdirAll(filepath.Join(dir, BackupDir), 0o755)
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 8 {
		name := backupPrefix + old.Add(time.Duration(i)*time.Hour).Format(backupStamp) + ".db"
		os.WriteFile(filepath.Join(dir, BackupDir, name), []byte("old"), 0o644)
	}
	os.WriteFile(filepath.Join(dir, BackupDir, "notes.txt"), []byte("mine"), 0o644)
	var made []string
	for range 2 { // the second in the same second, most likely
		p, err := s.Backup(ctx, 7)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, p)
	}
	all, err := Backups(dir)
	if err != nil || len(all) != 7 {
		t.Fatalf("%d backups kept (%v), want 7", len(all), err)
	}
	if all[0].Path != made[1] || all[1].Path != made[0] {
		t.Fatalf("newest first: %s, %s; made %q", all[0].Path, all[1].Path, made)
	}
	if want := old.Add(3 * time.Hour); !all[6].Time.Equal(want) {
		t.Fatalf("oldest kept is %s, want %s", all[6].Time, want)
	}
	if !exists(filepath.Join(dir, BackupDir, "notes.txt")) {
		t.Fatal("rotation removed a file that is not a backup")
	}
}
