package app

import (
	"context"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/kafka"
)

// deliverKafka hands raw to the subscriptions' broker as a Kafka consumer
// does with a record read from topic: through the broker's Kafka handler,
// then the handler's after-commit step (which tells the core's watchers). The
// core must run subscriptions.
func deliverKafka(t *testing.T, c *Core, raw []byte, topic string) {
	t.Helper()
	if !c.subs.on {
		t.Fatal("subscriptions are not running")
	}
	out, after, err := c.b.KafkaHandler().Handle(context.Background(), &kafka.Record{Topic: topic, Time: time.Now(), Value: raw})
	if err != nil || out != kafka.Stored {
		t.Fatalf("record from %s: outcome %v, %v", topic, out, err)
	}
	if after != nil {
		after()
	}
}
