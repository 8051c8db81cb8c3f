package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/apptest"
)

// syntheticArchive writes an archive of n synthetic alerts in dir.
func syntheticArchive(t *testing.T, dir string, n int) {
	t.Helper()
	apptest.Synthetic(t, dir, n, time.Now(), 24*time.Hour)
}

func TestDoctor(t *testing.T) {
	if code, _, stderr := runCLI("doctor", "--data-dir", t.TempDir()); code != exitFailure || !strings.Contains(stderr, "there is no archive") {
		t.Fatalf("doctor of an empty directory: %d %q", code, stderr)
	}
	dir := t.TempDir()
	syntheticArchive(t, dir, 2000)
	code, stdout, stderr := runCLI("doctor", "--data-dir", dir)
	if code != 0 || !strings.Contains(stdout, "The archive is sound") {
		t.Fatalf("doctor of a sound archive: %d %q %q", code, stdout, stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "starling-recovered-*")); len(m) > 0 {
		t.Fatalf("doctor of a sound archive recovered it: %q", m)
	}
	// Damage: noise over a stretch of pages in the middle.
	apptest.Damage(t, dir, bytes.Repeat([]byte{0xA5}, 64<<10))
	code, stdout, stderr = runCLI("doctor", "--data-dir", dir)
	if code != exitFailure || !strings.Contains(stdout, "The archive is damaged") || !strings.Contains(stdout, "starling restore") {
		t.Fatalf("doctor of a damaged archive: %d %q %q", code, stdout, stderr)
	}
	m, _ := filepath.Glob(filepath.Join(dir, "starling-recovered-*.db"))
	if len(m) != 1 {
		t.Fatalf("recovered files: %q\n%s", m, stdout)
	}
	if p, err := app.CheckArchiveFile(context.Background(), m[0], true); err != nil || len(p) > 0 {
		t.Fatalf("the recovered file: %v %q", err, p)
	}
	// restore puts it in place; doctor then finds the archive sound.
	if code, stdout, stderr := runCLI("restore", m[0], "--data-dir", dir); code != 0 || !strings.Contains(stdout, "kept as") {
		t.Fatalf("restore: %d %q %q", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI("doctor", "--data-dir", dir); code != 0 {
		t.Fatalf("doctor after the restore: %d %q", code, stdout)
	}
	if code, stdout, _ := runCLI("doctor", "--help"); code != 0 || !strings.Contains(stdout, "--recover FILE") {
		t.Fatalf("doctor --help: %d %q", code, stdout)
	}
}

// TestBackupThenRestoreIntoANewDirectory: a backup restored where there
// was no data directory yet (a new machine) opens with its events.
func TestBackupThenRestoreIntoANewDirectory(t *testing.T) {
	dir := t.TempDir()
	syntheticArchive(t, dir, 300)
	code, stdout, stderr := runCLI("backup", "--data-dir", dir)
	if code != 0 || !strings.Contains(stdout, "Backed up into ") {
		t.Fatalf("backup: %d %q %q", code, stdout, stderr)
	}
	bs, err := app.Backups(dir)
	if err != nil || len(bs) != 1 {
		t.Fatalf("backups: %v %v", bs, err)
	}
	fresh := filepath.Join(t.TempDir(), "new", "data")
	if code, stdout, stderr := runCLI("restore", bs[0].Path, "--data-dir", fresh); code != 0 || strings.Contains(stdout, "kept as") {
		t.Fatalf("restore into a new directory: %d %q %q", code, stdout, stderr)
	}
	s, err := app.Open(context.Background(), app.Options{DataDir: fresh, Shared: true, MustExist: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if n, err := s.Archive().Count(context.Background(), app.EventQuery{}); err != nil || n != 300 {
		t.Fatalf("the restored archive holds %d events (%v), want 300", n, err)
	}
}
