package broker

import (
	"context"
	"slices"
	"testing"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// TestPublishTopicsByOrigin: with SetPublish, an event accepted from the
// receiver or a VTP subscription reaches the store with the topics to queue
// it for; one read from Kafka, the broadcaster's test event, and anything
// after SetPublish(nil) carries none.
func TestPublishTopicsByOrigin(t *testing.T) {
	st := &keepStore{}
	list, err := seen.NewList(st, seen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	b := New(Config{Checker: &voevent.Checker{}, Seen: list})
	b.SetPublish([]string{"out"})
	ctx := context.Background()
	up := b.NewUpstream(UpstreamConfig{Target: endpoint.Endpoint{Network: "tcp", Address: "127.0.0.1:1"}})
	for _, o := range []Outcome{
		b.Process(ctx, relayEvent("author", 1), "127.0.0.1:5000"),
		up.process(ctx, relayEvent("upstream", 2)),
		b.Process(ctx, relayEvent("test", 3), testEventSource),
	} {
		if !o.Accepted {
			t.Fatalf("%s refused: %s", o.IVORN, o.Reason)
		}
	}
	if out, _, err := b.KafkaHandler().Handle(ctx, &kafka.Record{Topic: "out", Value: relayEvent("kafka", 4)}); err != nil || out != kafka.Stored {
		t.Fatalf("Kafka record: %v %v", out, err)
	}
	b.SetPublish(nil)
	if o := b.Process(ctx, relayEvent("after", 5), "127.0.0.1:5000"); !o.Accepted {
		t.Fatal(o.Reason)
	}
	want := map[string][]string{"author": {"out"}, "upstream": {"out"}, "test": nil, "kafka": nil, "after": nil}
	for id, topics := range want {
		r, ok := st.recs["ivo://starling.test/source#"+id]
		if !ok {
			t.Fatalf("%s never reached the store", id)
		}
		if !slices.Equal(r.Publish, topics) {
			t.Errorf("%s: queued for %q, want %q", id, r.Publish, topics)
		}
	}
}
