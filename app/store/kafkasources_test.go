package store

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestKafkaSourcesRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k := KafkaSource{Name: "gcn", Preset: "gcn", Bootstrap: []string{"a:9092", "b:9092"}, TLS: true, Auth: "oidc",
		ClientID: "cid", TokenURL: "https://x/token", Scope: "s", Topics: []string{"igwn.gwalert", "^gcn\\..*"},
		Group: "g", From: "earliest"}
	id, err := s.AddKafkaSource(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddKafkaSource(ctx, k); err == nil {
		t.Fatal("a second source with the same name was saved")
	}
	if err := s.SetKafkaSourcePaused(ctx, id, true); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListKafkaSources(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("list: %v %v", got, err)
	}
	g := got[0]
	if g.ID != id || !g.Paused || !g.TLS || g.Auth != "oidc" || !slices.Equal(g.Bootstrap, k.Bootstrap) ||
		!slices.Equal(g.Topics, k.Topics) || g.From != "earliest" || g.Created.IsZero() {
		t.Fatalf("read back %+v", g)
	}
	if err := s.DeleteKafkaSource(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteKafkaSource(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}
