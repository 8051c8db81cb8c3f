// Package apptest builds archives for the tests of the command line, the
// window and the end-to-end tests, through the broker's own paths, so that
// those tests need not reach into the store.
package apptest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// Synthetic writes n synthetic alerts into dir's archive, received over
// span up to end (store.FillSynthetic).
func Synthetic(t testing.TB, dir string, n int, end time.Time, span time.Duration) {
	t.Helper()
	s, err := store.Open(context.Background(), dir, store.Options{NoBackfill: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.FillSynthetic(context.Background(), n, end, span); err != nil {
		t.Fatal(err)
	}
}

// Item is one alert to archive: a VOEvent as the receiver takes it from
// Source, or (Topic set) a JSON alert as the Kafka handler takes it.
type Item struct {
	Raw    []byte
	Source string
	Topic  string
	Offset int64
}

// Archive archives items, in order, into dir's archive through the
// broker's paths, and returns each one's archive key. An item the broker
// does not accept fails the test.
func Archive(t testing.TB, dir string, items ...Item) []string {
	t.Helper()
	keys := ArchiveSome(t, dir, items...)
	for i, k := range keys {
		if k == "" {
			t.Fatalf("item %d not archived", i)
		}
	}
	return keys
}

// ArchiveSome archives items as Archive does, and returns each one's
// archive key, "" for an item the broker does not accept (a duplicate, a
// packet its checks refuse).
func ArchiveSome(t testing.TB, dir string, items ...Item) []string {
	t.Helper()
	st, err := store.Open(context.Background(), dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, err := seen.NewList(st, seen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	b := broker.New(broker.Config{Checker: &voevent.Checker{}, Seen: list})
	keys := make([]string, len(items))
	for i, it := range items {
		var o broker.Outcome
		if it.Topic == "" {
			o = b.Process(context.Background(), it.Raw, it.Source)
		} else {
			source := it.Source
			if source == "" {
				source = "kafka " + it.Topic
			}
			o = b.ProcessJSON(context.Background(), it.Raw, broker.Origin{Source: source,
				Kafka: seen.KafkaRef{Topic: it.Topic, Offset: it.Offset, Time: time.Now()}})
		}
		if o.Accepted {
			keys[i] = o.IVORN
		}
	}
	return keys
}

// Damage writes noise over the middle of dir's archive file, as a failing
// disk would.
func Damage(t testing.TB, dir string, noise []byte) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, store.FileName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(noise, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}
