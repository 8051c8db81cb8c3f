package kafka

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestStaticMemberPauseBackfill: a consumer with a static instance id (as
// the broker runs it) pauses and resumes without losing a record, and a
// backfill from earliest reads the topic again, although each new session
// takes the place of the last in its group.
func TestStaticMemberPauseBackfill(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	send := func(v string) {
		if err := prod.ProduceSync(context.Background(), &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	send("1")
	send("2")
	h := &collector{}
	cons := runConsumer(t, ConsumerConfig{Config: Config{Bootstrap: c.ListenAddrs()}, Topics: []string{"t"}, Group: "g",
		From: From{Earliest: true}, InstanceID: "g-static"}, h)
	count := func() int { v, _ := h.snapshot(); return len(v) }
	waitUntil(t, "the first records", 10*time.Second, func() bool { return count() == 2 })

	cons.Pause()
	waitUntil(t, "paused", 10*time.Second, func() bool { return cons.Health().State == StatePaused })
	send("3")
	cons.Resume()
	waitUntil(t, "the record sent while paused", 10*time.Second, func() bool { return count() == 3 })

	cons.Backfill(From{Earliest: true})
	waitUntil(t, "the topic read again", 15*time.Second, func() bool { return count() == 6 })
	vals, _ := h.snapshot()
	slices.Sort(vals) // the records of a fetch are handled concurrently
	if want := []string{"1", "1", "2", "2", "3", "3"}; !slices.Equal(vals, want) {
		t.Fatalf("records %v, want each of 1, 2, 3 twice", vals)
	}
}
