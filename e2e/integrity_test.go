package e2e

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/apptest"
	"github.com/starling-broker/starling/netcore/vtp"
)

// damagedArchive writes a 2,000-event archive in dir and then 64 KiB of
// random bytes in the middle of its file.
func damagedArchive(t *testing.T, dir string) {
	t.Helper()
	apptest.Synthetic(t, dir, 2000, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), 30*24*time.Hour)
	junk := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(r.Uint32())
	}
	apptest.Damage(t, dir, junk)
}

// archivedCount is `starling events list --count` for dataDir.
func archivedCount(t *testing.T, dataDir string) int {
	t.Helper()
	r := run(t, "", nil, "events", "list", "--count", "--data-dir", dataDir)
	if r.code != 0 {
		t.Fatalf("events list --count: exit %d: %s", r.code, r.stderr)
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatalf("events list --count printed %q", r.stdout)
	}
	return n
}

// TestDamagedArchiveDoctor: a broker started on a damaged archive logs the
// damage and naks new events with a reason that names starling doctor;
// doctor says so and exits non-zero, refuses to replace the file while the
// broker runs, and once it is stopped puts a recovered archive in place that
// a new broker acks into.
func TestDamagedArchiveDoctor(t *testing.T) {
	data := t.TempDir()
	damagedArchive(t, data)
	b, recv := startBroker(t, data)
	b.waitLog(`archive is damaged`)
	m := submit(t, recv, sample(t))
	if m.Role != vtp.RoleNak || !strings.Contains(m.Result, "archive is damaged") || !strings.Contains(m.Result, "starling doctor") {
		t.Fatalf("a new event into a damaged archive: %s %q", m.Role, m.Result)
	}

	r := run(t, "", nil, "doctor", "--data-dir", data, "--recover", filepath.Join(t.TempDir(), "rec.db"))
	if r.code == 0 || !strings.Contains(r.stdout, "The archive is damaged") || !strings.Contains(r.stdout, "starling restore") {
		t.Fatalf("doctor beside the broker: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "", nil, "doctor", "--replace", "--data-dir", data)
	if r.code == 0 || !strings.Contains(r.stderr, "in use by another Starling process") {
		t.Fatalf("doctor --replace beside the broker: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	b.stop()

	r = run(t, "", nil, "doctor", "--replace", "--data-dir", data)
	if r.code != 0 || !strings.Contains(r.stdout, "The recovered archive is in place") {
		t.Fatalf("doctor --replace: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	copied := regexp.MustCompile(`events\s+(\d+) rows copied`).FindStringSubmatch(r.stdout)
	if copied == nil {
		t.Fatalf("doctor did not say how many events it recovered:\n%s", r.stdout)
	}
	t.Logf("doctor --replace:\n%s", r.stdout)
	if aside, _ := filepath.Glob(filepath.Join(data, app.ArchiveFileName+".damaged-*")); len(aside) != 1 {
		t.Fatalf("the damaged file was not kept aside: %q", aside)
	}
	if r := run(t, "", nil, "doctor", "--data-dir", data); r.code != 0 || !strings.Contains(r.stdout, "The archive is sound") {
		t.Fatalf("doctor after the repair: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	n := archivedCount(t, data)
	if strconv.Itoa(n) != copied[1] || n < 1000 || n > 2000 {
		t.Fatalf("the repaired archive lists %d events; doctor said %s of 2000", n, copied[1])
	}

	b, recv = startBroker(t, data)
	b.waitLog(`Archive integrity check: ok`)
	if m := submit(t, recv, sample(t)); m.Role != vtp.RoleAck {
		t.Fatalf("a new event into the repaired archive: %s %q", m.Role, m.Result)
	}
	b.stop()
	if got := archivedCount(t, data); got != n+1 {
		t.Fatalf("%d events after one more ack, want %d", got, n+1)
	}
}

// TestBackupRestore: `starling backup` beside a running broker, then
// `starling restore` (refused while the broker runs) puts it back.
func TestBackupRestore(t *testing.T) {
	data := t.TempDir()
	b, recv := startBroker(t, data)
	if m := submit(t, recv, sample(t)); m.Role != vtp.RoleAck {
		t.Fatal(m.Result)
	}
	r := run(t, "", nil, "backup", "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("backup: exit %d %s", r.code, r.stderr)
	}
	backup := strings.TrimSuffix(regexp.MustCompile(`Backed up into (\S+)`).FindStringSubmatch(r.stdout)[1], ",")
	if m := submit(t, recv, withIVORN(sample(t), "ivo://hotwired.org/gaia_demo#after")); m.Role != vtp.RoleAck {
		t.Fatal(m.Result)
	}
	if r := run(t, "", nil, "restore", backup, "--data-dir", data); r.code == 0 || !strings.Contains(r.stderr, "in use") {
		t.Fatalf("restore beside the broker: exit %d %s", r.code, r.stderr)
	}
	b.stop()
	if n := archivedCount(t, data); n != 2 {
		t.Fatalf("%d events before the restore", n)
	}
	if r := run(t, "", nil, "restore", backup, "--data-dir", data); r.code != 0 || !strings.Contains(r.stdout, "kept as") {
		t.Fatalf("restore: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	if n := archivedCount(t, data); n != 1 {
		t.Fatalf("%d events after restoring the backup of 1", n)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("junk", 4096)), 0o644)
	if r := run(t, "", nil, "restore", junk, "--data-dir", data); r.code == 0 || !strings.Contains(r.stderr, "not restored") {
		t.Fatalf("restore of junk: exit %d %s", r.code, r.stderr)
	}
	if n := archivedCount(t, data); n != 1 {
		t.Fatalf("%d events after refusing junk", n)
	}
}
