package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/assets"
	"github.com/starling-broker/starling/netcore/kafka"
)

// TestOutboxKafkaProfile: `outbox profile add NAME --kafka-source S --topic
// T` saves a Kafka destination on a saved source, list shows it, `outbox
// add --to NAME` queues for it and `outbox flush` publishes the event to
// the topic with Hopskotch's headers. Bad requests are refused in words.
func TestOutboxKafkaProfile(t *testing.T) {
	const topic = "starling.cli.out"
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	addr := cluster.ListenAddrs()[0]
	dir := t.TempDir()
	if st, out, errs := runCLI("settings", "kafka", "add", "lab", "--kafka-bootstrap", addr, "--kafka-topic", "gcn.heartbeat", "--data-dir", dir); st != 0 {
		t.Fatalf("settings kafka add: %d %s %s", st, out, errs)
	}
	for _, bad := range [][]string{
		{"add", "k", "--kafka-source", "lab"},
		{"add", "k", "--topic", topic},
		{"add", "k", "--kafka-source", "nosuch", "--topic", topic},
		{"add", "k", "--kafka-source", "lab", "--topic", "no/slash"},
		{"list", "--kafka-source", "lab", "--topic", topic},
	} {
		if st, _, errs := runCLI(append(append([]string{"outbox", "profile"}, bad...), "--data-dir", dir)...); st == 0 || errs == "" {
			t.Errorf("profile %v: status %d, %q", bad, st, errs)
		}
	}
	st, out, errs := runCLI("outbox", "profile", "add", "to-kafka", "--kafka-source", "lab", "--topic", topic, "--data-dir", dir)
	if st != 0 || !strings.Contains(out, "saved to-kafka: kafka: "+topic+" on lab") {
		t.Fatalf("profile add: %d %q %q", st, out, errs)
	}
	if st, out, _ := runCLI("outbox", "profile", "list", "--data-dir", dir); st != 0 || !strings.Contains(out, "to-kafka  kafka: "+topic+" on lab") {
		t.Errorf("profile list: %d %q", st, out)
	}
	file := filepath.Join(t.TempDir(), "ev.xml")
	if err := os.WriteFile(file, assets.SampleTestEvent, 0o644); err != nil {
		t.Fatal(err)
	}
	if st, out, errs := runCLI("outbox", "add", "--to", "to-kafka", file, "--data-dir", dir); st != 0 || !strings.Contains(out, "1 queued for kafka:lab/"+topic) {
		t.Fatalf("outbox add: %d %q %q", st, out, errs)
	}
	if st, out, errs := runCLI("outbox", "flush", "--timeout", "20", "--data-dir", dir); st != 0 {
		t.Fatalf("outbox flush: %d %q %q", st, out, errs)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	deadline := time.Now().Add(5 * time.Second)
	for len(recs) == 0 && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
		cancel()
	}
	if len(recs) != 1 || string(recs[0].Value) != string(assets.SampleTestEvent) {
		t.Fatalf("%d records on the topic, want the event", len(recs))
	}
	h := map[string]string{}
	for _, kv := range recs[0].Headers {
		h[kv.Key] = string(kv.Value)
	}
	if h[kafka.HeaderFormat] != "voevent" || len(h[kafka.HeaderID]) != 16 || h[kafka.HeaderTest] != "true" {
		t.Errorf("headers %q", h)
	}
	if st, out, _ := runCLI("outbox", "list", "--data-dir", dir); st != 0 || !strings.Contains(out, "sent") {
		t.Errorf("outbox list: %d %q", st, out)
	}
}
