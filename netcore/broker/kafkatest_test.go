package broker

import (
	"context"
	"sync"
	"testing"

	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// keepStore is a seen.Store that keeps what it admits.
type keepStore struct {
	relayMemStore
	mu   sync.Mutex
	recs map[string]seen.Record
}

func (s *keepStore) Admit(ctx context.Context, r seen.Record) (seen.Verdict, seen.Entry, error) {
	s.mu.Lock()
	if s.recs == nil {
		s.recs = map[string]seen.Record{}
	}
	s.recs[r.IVORN] = r
	s.mu.Unlock()
	return s.relayMemStore.Admit(ctx, r)
}

// TestKafkaTestHeader checks that a Hopskotch record with the _test header
// is archived as a test, VOEvent or JSON, and that the summary is computed
// before the commit.
func TestKafkaTestHeader(t *testing.T) {
	st := &keepStore{}
	list, err := seen.NewList(st, seen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	b := New(Config{Checker: &voevent.Checker{}, Seen: list})
	h := b.KafkaHandler()
	notice := []byte(`{"$schema": "https://gcn.nasa.gov/schema/main/gcn/notices/einstein_probe/wxt/alert.schema.json",
		"instrument": "WXT", "trigger_time": "2024-03-01T21:46:05.13Z", "id": ["01708973486"], "ra": 120, "dec": 40}`)
	cases := []struct {
		value   []byte
		headers map[string]string
		test    bool
	}{
		{relayEvent("hop1", 1), map[string]string{kafka.HeaderTest: "true"}, true},
		{relayEvent("hop2", 2), nil, false},
		{notice, map[string]string{kafka.HeaderTest: "true", kafka.HeaderFormat: "json"}, true},
		{append(notice, ' '), map[string]string{kafka.HeaderTest: "false"}, false},
	}
	for i, c := range cases {
		out, after, err := h.Handle(context.Background(), &kafka.Record{Topic: "hop.test", Offset: int64(i), Value: c.value, Headers: c.headers})
		if err != nil || out != kafka.Stored {
			t.Fatalf("record %d: %v %v", i, out, err)
		}
		if after != nil {
			after()
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	i := 0
	for _, c := range cases {
		var rec seen.Record
		for _, r := range st.recs {
			if string(r.Raw) == string(c.value) {
				rec = r
			}
		}
		if rec.Summary.Key == "" || rec.Summary.Test != c.test {
			t.Errorf("record %d: summary %+v, want test %v", i, rec.Summary, c.test)
		}
		i++
	}
}
