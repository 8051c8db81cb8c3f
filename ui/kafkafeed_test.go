package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/app"
)

// feedTopics are the topics a test's Kafka feed carries.
var feedTopics = []string{"igwn.gwalert", "gcn.notices.fermi.gbm", "test", "gcn"}

// kafkaFeed is a Kafka cluster (kfake, on 127.0.0.1) that a window's core
// consumes as a saved Kafka source: alerts reach the archive the way they do
// in the app, through the subscriptions' broker and its watchers.
type kafkaFeed struct {
	cluster *kfake.Cluster
	prod    *kgo.Client
}

var (
	feedsMu sync.Mutex
	feeds   = map[*Window]*kafkaFeed{}
)

// feedOf returns u's Kafka feed, started (with the core's source) on first use.
func feedOf(t *testing.T, u *Window) *kafkaFeed {
	t.Helper()
	feedsMu.Lock()
	defer feedsMu.Unlock()
	if f := feeds[u]; f != nil {
		return f
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, feedTopics...),
		kfake.BrokerConfigs(map[string]string{"message.max.bytes": "16777216"})) // LVK alerts with their sky map pass 1 MB
	if err != nil {
		t.Fatal(err)
	}
	prod, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ProducerBatchMaxBytes(16<<20))
	if err != nil {
		cluster.Close()
		t.Fatal(err)
	}
	f := &kafkaFeed{cluster: cluster, prod: prod}
	feeds[u] = f
	t.Cleanup(func() {
		feedsMu.Lock()
		delete(feeds, u)
		feedsMu.Unlock()
		prod.Close()
		cluster.Close()
	})
	if _, err := u.Core.Sources().AddKafka(context.Background(), app.KafkaSource{Name: "test feed", Bootstrap: cluster.ListenAddrs(),
		Topics: feedTopics, From: "earliest"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// publish sends raw on topic (with the Hopskotch _test header when test is
// set) and waits until u's core has archived it; it returns its archive id.
func publish(t *testing.T, u *Window, topic string, raw []byte, test bool) int64 {
	t.Helper()
	f := feedOf(t, u)
	rec := &kgo.Record{Topic: topic, Value: raw}
	if test {
		rec.Headers = []kgo.RecordHeader{{Key: "_test", Value: []byte("true")}}
	}
	ctx := context.Background()
	if err := f.prod.ProduceSync(ctx, rec).FirstErr(); err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256(raw)
	key := "sha256:" + hex.EncodeToString(d[:])
	deadline := time.Now().Add(20 * time.Second)
	for {
		row, _, err := u.Core.Archive().Event(ctx, key)
		if err == nil {
			return row.ID
		}
		if !errors.Is(err, app.ErrNotFound) || time.Now().After(deadline) {
			t.Fatalf("%s never archived from %s: %v", key, topic, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
