package broker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/netcore/kafka"
)

// TestKafkaSourceRelays feeds a kfake topic through a Consumer into the
// broker: valid VOEvents reach a VTP subscriber once, in order; JSON is
// archived and not relayed; garbage and schema-invalid events are logged
// with their topic/partition/offset and skipped; offsets are committed.
func TestKafkaSourceRelays(t *testing.T) {
	topic := "gcn.classic.voevent.FERMI_GBM_FLT_POS"
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b, lg := newRelayBroker(t)
	bc := b.NewBroadcaster(BroadcastConfig{})
	b.AddHandler(bc)
	sub := dialSub(t, startBroadcaster(t, bc), true, true)
	waitFor(t, "subscriber registered", func() bool { return bc.Subscribers() == 1 })

	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	invalid := strings.Replace(string(relayEvent("bad", 1)), "<Who>", "<Nonsense/><Who>", 1)
	values := [][]byte{relayEvent("k1", 1), []byte(`{"alert_datetime": "2026-12-01T00:00:00Z"}`), []byte("\x00\x01binary"),
		[]byte(invalid), relayEvent("k2", 2), relayEvent("k1", 1)}
	for _, v := range values {
		if err := prod.ProduceSync(context.Background(), &kgo.Record{Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cons, err := kafka.NewConsumer(kafka.ConsumerConfig{
		Config: kafka.Config{Name: "test", Bootstrap: c.ListenAddrs()},
		Topics: []string{"^gcn\\.classic\\.voevent\\..*"}, Group: "g1", From: kafka.From{Earliest: true},
	}, b.KafkaHandler(), b.log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- cons.Run(ctx) }()
	defer func() { cancel(); <-done }()

	for _, want := range []string{"#k1", "#k2"} {
		if got := sub.next(); !strings.Contains(string(got), want) {
			t.Fatalf("subscriber got %q, want the event %s", got, want)
		}
	}
	sub.none()
	waitFor(t, "every record handled", func() bool {
		h := cons.Health()
		return h.Stored+h.Duplicates+h.Refused+h.Skipped == uint64(len(values))
	})
	h := cons.Health()
	if h.Stored != 3 || h.Duplicates != 1 || h.Refused != 1 || h.Skipped != 1 || h.State != kafka.StateConsuming {
		t.Fatalf("health %+v: want 3 stored (2 VOEvents, 1 JSON), 1 duplicate, 1 refused, 1 skipped, consuming", h)
	}
	lg.wait(t, "Kafka record skipped", topic+"[0]@2")
	lg.wait(t, "Kafka record refused", topic+"[0]@3")

	// The group's committed offset is past the last record.
	adm, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumerGroup("g1"), kgo.ConsumeTopics(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	waitFor(t, "offsets committed", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		fetches := adm.PollRecords(ctx, 1) // a second member of g1 reads nothing new
		return fetches.NumRecords() == 0
	})
}
