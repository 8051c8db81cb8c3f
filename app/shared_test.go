package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/assets"
)

// TestSharedMissingDataDir checks that a shared open with MustExist neither
// creates the data directory nor fails otherwise than ErrNoData.
func TestSharedMissingDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	if _, err := Open(context.Background(), Options{DataDir: dir, Shared: true, MustExist: true}); !errors.Is(err, ErrNoData) {
		t.Fatalf("Open = %v, want ErrNoData", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the data directory was created: %v", err)
	}
}

// TestSharedBesideRunningCore checks that a shared core opens beside the
// one that holds the data directory, sees it in use, and reads and queues
// through Core's methods.
func TestSharedBesideRunningCore(t *testing.T) {
	dir := t.TempDir()
	owner, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	c, err := Open(context.Background(), Options{DataDir: dir, Shared: true, MustExist: true})
	if err != nil {
		t.Fatalf("shared Open beside a running core: %v", err)
	}
	defer c.Close(context.Background())
	if c.InUse() == nil {
		t.Error("InUse = nil while another core holds the directory")
	}
	if got := LockHolder(dir); got != "pid "+itoa(os.Getpid()) {
		t.Errorf("LockHolder = %q", got)
	}
	ctx := context.Background()
	if n, err := c.Archive().Count(ctx, EventQuery{}); err != nil || n != 0 {
		t.Errorf("CountEvents = %d, %v", n, err)
	}
	rs, err := c.Outbox().QueueItems(ctx, "127.0.0.1:1", []outbox.Item{{Name: "ok", Raw: assets.SampleTestEvent}, {Name: "bad", Raw: []byte("<x/>")}})
	if err != nil || len(rs) != 2 || rs[0].Err != nil || rs[1].Err == nil {
		t.Fatalf("QueueItems = %+v, %v", rs, err)
	}
	if counts, err := owner.Outbox().Counts(ctx); err != nil || counts.Total() != 1 {
		t.Errorf("the owner sees %+v, %v; want one entry", counts, err)
	}
	if err := c.Outbox().SaveDestination(ctx, "far", "example.org"); err != nil {
		t.Fatal(err)
	}
	if p, err := owner.Outbox().Destination(ctx, "far"); err != nil || p.Address() != "example.org:8098" {
		t.Errorf("Destination = %+v, %v", p, err)
	}
	if err := c.Outbox().DeleteDestination(ctx, "far"); err != nil {
		t.Fatal(err)
	}
	if err := c.Outbox().DeleteDestination(ctx, "far"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if err := c.Settings().Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := owner.Settings().Get(ctx, "k"); v != "v" || !ok || err != nil {
		t.Errorf("Setting = %q, %v, %v", v, ok, err)
	}
}

// TestInUseFree checks that InUse is nil when no other process holds the directory.
func TestInUseFree(t *testing.T) {
	c, err := Open(context.Background(), Options{DataDir: t.TempDir(), Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if err := c.InUse(); err != nil {
		t.Errorf("InUse = %v", err)
	}
	if _, err := c.Check(assets.SampleTestEvent); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestSharedReadOnly checks that a read-only shared core reads and refuses writes.
func TestSharedReadOnly(t *testing.T) {
	dir := t.TempDir()
	owner, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	ctx := context.Background()
	if err := owner.Settings().Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	c, err := Open(context.Background(), Options{DataDir: dir, Shared: true, MustExist: true, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if v, ok, err := c.Settings().Get(ctx, "k"); v != "v" || !ok || err != nil {
		t.Errorf("Setting = %q, %v, %v", v, ok, err)
	}
	if _, err := c.Archive().Events(ctx, EventQuery{Text: "grb", Limit: 5}); err != nil {
		t.Errorf("ListEvents: %v", err)
	}
	if err := c.Settings().Set(ctx, "k", "w"); err == nil {
		t.Error("SetSetting on a read-only core succeeded")
	}
}
