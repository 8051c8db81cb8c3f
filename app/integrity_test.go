package app

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
	"github.com/starling-broker/starling/netcore/vtp"
)

// damagedDataDir is a data directory whose 2,000-event archive has 64 KiB
// of random bytes written in its middle.
func damagedDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(context.Background(), dir, store.Options{NoBackfill: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FillSynthetic(context.Background(), 2000, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(filepath.Join(dir, store.FileName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	junk := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(r.Uint32())
	}
	if _, err := f.WriteAt(junk, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return dir
}

// TestDamagedArchiveNaksOverTheSocket: the core finds the damage when it
// opens the data directory, says so in the status bar, and its receiver
// naks a new event, over a real socket, with a reason that names the fix.
func TestDamagedArchiveNaksOverTheSocket(t *testing.T) {
	c, err := Open(context.Background(), Options{DataDir: damagedDataDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	h := c.Archive().Health()
	if !h.Damaged() || h.Detail == "" {
		t.Fatalf("health: %+v", h)
	}
	line := c.StatusLineWith(OutboxWaiting{}, time.Now())
	if !strings.Contains(line, "archive damaged") || !strings.Contains(line, "starling doctor") {
		t.Fatalf("status line %q", line)
	}
	s := DefaultBrokerSettings()
	s.ReceivePort, s.BroadcastPort, s.TestInterval = porttest.One(t), porttest.One(t), 0
	lb, err := c.Brokers().Start(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	recv, _ := lb.Addresses()
	ev, err := os.ReadFile("../testdata/voevents/fink-voevent/ivo__nasa.gsfc.gcn_FermiGBM_Test_Pos_20191201T173223.00_099999_1692.xml")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := sender.Send(context.Background(), endpoint.Endpoint{Network: "tcp", Address: recv}, ev, "", 10*time.Second)
	var se *sender.Error
	if !errors.As(err, &se) || se.Kind != sender.Refused || reply == nil || reply.Role != vtp.RoleNak {
		t.Fatalf("submission to a broker with a damaged archive: %v", err)
	}
	for _, want := range []string{"Event rejected: this broker's archive is damaged (", "its operator must run starling doctor"} {
		if !strings.Contains(se.Reason, want) {
			t.Fatalf("nak reason %q lacks %q", se.Reason, want)
		}
	}
	t.Logf("nak: %s", se.Reason)
}

// TestDailyBackup: the owner of the data directory backs the archive up
// soon after it starts, into DATADIR/backups, and the backup is sound.
func TestDailyBackup(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(context.Background(), Options{DataDir: dir, BackupDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var bs []store.BackupFile
	deadline := time.Now().Add(20 * time.Second)
	for len(bs) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		bs, _ = store.Backups(dir)
	}
	if len(bs) != 1 {
		t.Fatalf("%d backups after the start", len(bs))
	}
	if p, err := store.CheckFile(context.Background(), bs[0].Path, true); err != nil || len(p) > 0 {
		t.Fatalf("the backup: %v %q", err, p)
	}
	if h := c.Archive().Health(); h.State != "ok" {
		t.Fatalf("health of a new archive: %+v", h)
	}
}
