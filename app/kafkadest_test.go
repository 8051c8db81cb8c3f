package app

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/kafka"
)

const outboxTopic = "starling.outbox"

// outboxRow is an outbox entry's state, read as it is stored.
func outboxRow(t *testing.T, c *Core, id int64) (state string, attempts int, lastErr string) {
	t.Helper()
	if err := c.store.DB().QueryRow(`SELECT state, attempts, last_error FROM outbox WHERE id = ?`, id).Scan(&state, &attempts, &lastErr); err != nil {
		t.Fatal(err)
	}
	return
}

// topicRecords reads every record of topic on the cluster at addr, as
// the test's user, until it has at least want or a few seconds passed.
func topicRecords(t *testing.T, addr, topic string, want int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.SASL(scram.Auth{User: testUser, Pass: testSecret}.AsSha512Mechanism()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	deadline := time.Now().Add(5 * time.Second)
	for len(recs) < want && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
		cancel()
	}
	// A little longer, so that a record too many shows.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
	cancel()
	return recs
}

func headers(r *kgo.Record) map[string]string {
	h := map[string]string{}
	for _, kv := range r.Headers {
		h[kv.Key] = string(kv.Value)
	}
	return h
}

// TestOutboxKafkaDestination: a Kafka destination reuses a saved Kafka
// source's cluster and credentials (SCRAM, the password read from its 0600
// file). An event queued for it while the cluster is down is retried with
// the outbox's backoff, the failure in words, kept across a restart, and
// published once the cluster is up, with Hopskotch's headers and an _id
// derived from the entry; marked sent only then. An entry left "sending"
// by a crash after the cluster acknowledged it is published again after
// the restart, with the same _id: one event by _id.
func TestOutboxKafkaDestination(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kport := porttest.One(t) // nothing listens there yet
	kaddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(kport))
	var log lockedBuffer

	// Set up: the source, a quick retry policy, the destination.
	c := openDesktopCore(t, dir, &log)
	if _, err := c.Sources().AddKafka(ctx, KafkaSource{Name: "hop", Bootstrap: []string{kaddr}, Auth: kafka.AuthScramSHA512,
		User: testUser, Secret: testSecret, Topics: []string{testTopic}, From: "latest", Paused: true}); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{keyOutboxBackoffBase: "100ms", keyOutboxBackoffCap: "300ms", keyOutboxTimeout: "400ms"} {
		if err := c.store.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Outbox().SaveKafkaDestination(ctx, "hop-out", "nosuch", outboxTopic); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a destination on a missing source: %v, want not found", err)
	}
	if err := c.Outbox().SaveKafkaDestination(ctx, "hop-out", "hop", "bad/topic"); err == nil {
		t.Errorf("a bad topic was saved")
	}
	if err := c.Outbox().SaveKafkaDestination(ctx, "hop-out", "hop", outboxTopic); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)

	c = openDesktopCore(t, dir, &log)
	ds, err := c.Outbox().Destinations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var dest Destination
	for _, d := range ds {
		if d.Name == "hop-out" {
			dest = d
		}
	}
	if dest.Label() != "hop-out (kafka: "+outboxTopic+" on hop)" || dest.Address != "kafka:hop/"+outboxTopic {
		t.Fatalf("destination %+v, label %q", dest, dest.Label())
	}
	raw := sampleEvent("outbox-kafka")
	id, err := c.Outbox().Queue(ctx, dest, raw)
	if err != nil {
		t.Fatal(err)
	}
	var ivorn string
	c.store.DB().QueryRow(`SELECT ivorn FROM outbox WHERE id = ?`, id).Scan(&ivorn)
	waitUntil(t, "two failed attempts", func() bool {
		state, attempts, _ := outboxRow(t, c, id)
		return state == "queued" && attempts >= 2
	})
	_, _, lastErr := outboxRow(t, c, id)
	t.Logf("the failure, as the outbox words it: %s", lastErr)
	if !strings.Contains(lastErr, "Kafka topic "+outboxTopic) {
		t.Errorf("last error %q does not say what failed in words", lastErr)
	}
	var shown bool
	for _, s := range c.Outbox().DestinationStates() {
		if s.Name == dest.Address && !s.Online && s.LastError != "" && s.Queued == 1 {
			shown = true
		}
	}
	if !shown {
		t.Errorf("destination states %+v: want %s offline with its error and one queued", c.Outbox().DestinationStates(), dest.Address)
	}
	c.Close(ctx) // a restart while it waits

	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(kport), kfake.SeedTopics(1, outboxTopic), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-512", testUser, testSecret))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	c = openDesktopCore(t, dir, &log)
	waitUntil(t, "the entry sent", func() bool { state, _, _ := outboxRow(t, c, id); return state == "sent" })
	wantID := outbox.KafkaRecordID(id, ivorn, outboxTopic)
	recs := topicRecords(t, kaddr, outboxTopic, 1)
	if len(recs) != 1 {
		t.Fatalf("%d records on the topic, want 1", len(recs))
	}
	h := headers(recs[0])
	if !bytes.Equal(recs[0].Value, raw) || h[kafka.HeaderID] != string(wantID[:]) || h[kafka.HeaderFormat] != "voevent" ||
		h[kafka.HeaderSender] != c.Settings().Broker(ctx).LocalIVO || h[kafka.HeaderTest] != "true" {
		t.Errorf("record of %d bytes (the event's: %v) with headers %q (want _id %x)", len(recs[0].Value), bytes.Equal(recs[0].Value, raw), h, wantID)
	}

	// A crash after the cluster's acknowledgement, before the entry was
	// marked sent: the restart sends it again, with the same _id.
	if _, err := c.store.DB().Exec(`UPDATE outbox SET state = 'sending', sent_at = NULL WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
	c = openDesktopCore(t, dir, &log)
	defer c.Close(ctx)
	waitUntil(t, "the entry sent again", func() bool { state, _, _ := outboxRow(t, c, id); return state == "sent" })
	recs = topicRecords(t, kaddr, outboxTopic, 2)
	ids := map[string]int{}
	for _, r := range recs {
		ids[headers(r)[kafka.HeaderID]]++
	}
	if len(recs) != 2 || len(ids) != 1 || ids[string(wantID[:])] != 2 {
		t.Errorf("%d records, by _id %v: want the one event twice with _id %x", len(recs), ids, wantID)
	}

	// The password is in the source's file, never in the log.
	if strings.Contains(log.String(), testSecret) {
		t.Error("the password was logged")
	}
}
