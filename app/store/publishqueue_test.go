package store

import (
	"bytes"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/seen"
)

// TestPublishQueue: an admission that names topics queues one row per topic
// in its own transaction (a duplicate queues nothing), with the _id derived
// from the event; the rows go out in order, are retried, marked done or
// refused, counted in the backlog and pruned once done; and a watcher hears
// each commit's topics.
func TestPublishQueue(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	heard := make(chan string, 16)
	cancel := s.WatchPublish(func(topic string) { heard <- topic })
	defer cancel()

	var ids []int64
	for i, iv := range []string{"ivo://q.test/a#1", "ivo://q.test/a#2", "ivo://q.test/a#3"} {
		r := record(iv, iv)
		r.Publish = []string{"out", "other"}
		if i == 2 {
			r.Publish = []string{"out"}
		}
		v, e, err := s.Admit(ctx, r)
		if err != nil || v != seen.New {
			t.Fatalf("%s: %v %v", iv, v, err)
		}
		ids = append(ids, e.ID)
	}
	r := record("ivo://q.test/a#1", "ivo://q.test/a#1")
	r.Publish = []string{"out"}
	if v, _, err := s.Admit(ctx, r); err != nil || v != seen.Duplicate {
		t.Fatalf("again: %v %v", v, err)
	}
	got := map[string]int{}
	for len(heard) > 0 {
		got[<-heard]++
	}
	if got["out"] != 3 || got["other"] != 2 {
		t.Errorf("watchers heard %v", got)
	}

	w, err := s.PublishWaiting(ctx, "out", 10)
	if err != nil || len(w) != 3 {
		t.Fatalf("waiting for out: %d rows, %v", len(w), err)
	}
	for i, e := range w {
		if e.EventID != ids[i] || !e.Test || !bytes.Equal(e.Raw, []byte(e.IVORN)) || e.RecordID != PublishRecordID(ids[i], e.IVORN, "out") {
			t.Errorf("row %d: %+v", i, e)
		}
	}
	if w[0].RecordID == PublishRecordID(ids[0], w[0].IVORN, "other") {
		t.Error("the _id is the same on two topics")
	}

	later := time.Now().Add(time.Hour)
	if err := s.PublishRetry(ctx, []int64{w[0].ID}, "connection refused", later); err != nil {
		t.Fatal(err)
	}
	if err := s.PublishDone(ctx, []int64{w[1].ID}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.PublishRefuse(ctx, []int64{w[2].ID}, "too large", time.Now()); err != nil {
		t.Fatal(err)
	}
	w, _ = s.PublishWaiting(ctx, "out", 10)
	if len(w) != 1 || w[0].Attempts != 1 || w[0].LastError != "connection refused" || w[0].NextAt.UnixMilli() != later.UnixMilli() {
		t.Fatalf("after the updates: %+v", w)
	}
	bs, err := s.PublishBacklogs(ctx)
	if err != nil || len(bs) != 2 {
		t.Fatalf("backlogs %+v, %v", bs, err)
	}
	if b := bs[1]; b.Topic != "out" || b.Waiting != 1 || b.Refused != 1 || b.Attempts != 1 || b.LastError != "connection refused" {
		t.Errorf("out's backlog %+v", b)
	}
	if b := bs[0]; b.Topic != "other" || b.Waiting != 2 || b.Refused != 0 {
		t.Errorf("other's backlog %+v", b)
	}
	if n, err := s.PublishCount(ctx, "other"); err != nil || n != 2 {
		t.Errorf("count %d, %v", n, err)
	}
	if n, err := s.PrunePublished(ctx, time.Now().Add(time.Minute)); err != nil || n != 2 {
		t.Errorf("pruned %d (want the done and the refused), %v", n, err)
	}
	if w, _ := s.PublishWaiting(ctx, "out", 10); len(w) != 1 {
		t.Errorf("the queued row was pruned")
	}
}
