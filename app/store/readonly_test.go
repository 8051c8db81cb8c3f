package store

import (
	"context"
	"errors"
	"testing"
)

// TestReadOnly checks that a ReadOnly store reads beside a writer and refuses writes.
func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(context.Background(), dir, Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	if err := w.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("ReadOnly Open beside a writer: %v", err)
	}
	defer r.Close()
	if v, ok, err := r.GetSetting(ctx, "k"); v != "v" || !ok || err != nil {
		t.Errorf("GetSetting = %q, %v, %v", v, ok, err)
	}
	if _, err := r.ListEvents(ctx, EventQuery{Text: "grb", Limit: 5}); err != nil {
		t.Errorf("ListEvents: %v", err)
	}
	if err := r.SetSetting(ctx, "k", "w"); err == nil {
		t.Error("SetSetting on a ReadOnly store succeeded")
	}
	if _, err := w.DB().ExecContext(ctx, "PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := Open(context.Background(), dir, Options{ReadOnly: true}); !errors.Is(err, ErrOutdated) {
		t.Errorf("ReadOnly Open of an old schema = %v, want ErrOutdated", err)
	}
}
