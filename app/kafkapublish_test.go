package app

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/sender"
)

const (
	publishTopic  = "starling.out"
	testRetryBase = 300 * time.Millisecond
)

// publishEvent is a real GCN VOEvent made unique by n.
func publishEvent(t *testing.T, n int) ([]byte, string) {
	t.Helper()
	b, err := os.ReadFile("../testdata/voevents/public/fermi/GBM_Flt_Pos_2023-12-10T13_15_50.51_723906955_120-802.xml")
	if err != nil {
		t.Fatal(err)
	}
	const old = "GBM_Flt_Pos_2023-12-10T13:15:50.51_723906955_120-802"
	id := fmt.Sprintf("GBM_Flt_Pos_publish_%d", n)
	if !bytes.Contains(b, []byte(old)) {
		t.Fatal("the sample event changed")
	}
	return bytes.Replace(b, []byte(old), []byte(id), 1), "ivo://nasa.gsfc.gcn/Fermi#" + id
}

// queueRow is one row of the publish queue, read as it is stored.
type queueRow struct {
	eventID, attempts, nextAt int64
	ivorn, state, err         string
	recordID                  []byte
}

func queueRows(t *testing.T, st *store.Store) map[string]queueRow {
	t.Helper()
	rows, err := st.DB().Query(`SELECT q.event_id, e.ivorn, q.state, q.attempts, q.next_at, q.last_error, q.record_id
		FROM publish_queue q JOIN events e ON e.id = q.event_id WHERE q.topic = ?`, publishTopic)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]queueRow{}
	for rows.Next() {
		var r queueRow
		if err := rows.Scan(&r.eventID, &r.ivorn, &r.state, &r.attempts, &r.nextAt, &r.err, &r.recordID); err != nil {
			t.Fatal(err)
		}
		out[r.ivorn] = r
	}
	return out
}

// startPublishing opens a core on dir and starts a broker that receives on
// 127.0.0.1 and publishes to the cluster at kafkaAddr, retrying quickly.
func startPublishing(t *testing.T, dir, kafkaAddr string) (*Core, *LocalBroker, endpoint.Endpoint) {
	t.Helper()
	ctx := context.Background()
	c, err := Open(ctx, Options{DataDir: dir, RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	port := porttest.One(t)
	lb, err := c.Brokers().Start(BrokerConfig{
		LocalIVO: "ivo://test.example/publisher",
		Receive:  []endpoint.Endpoint{{Network: "tcp", Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}},
		Publish: &KafkaPublish{Config: kafka.Config{Bootstrap: []string{kafkaAddr}}, Topic: publishTopic,
			RetryBase: testRetryBase, RetryCap: 4 * testRetryBase, AttemptTimeout: 100 * time.Millisecond},
	})
	if err != nil {
		c.Close(ctx)
		t.Fatal(err)
	}
	return c, lb, endpoint.Endpoint{Network: "tcp", Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
}

func waitPublish(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPublishQueueDurable: events accepted while the Kafka cluster cannot
// be reached are queued with their archive rows before the ack, retried
// with a growing wait, kept across a restart of the broker, and published
// once the cluster is there, in order, each with the _id derived when it
// was queued (the same on every attempt); then marked done. An event read
// from Kafka is archived but never queued.
func TestPublishQueueDurable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kport := porttest.One(t) // nothing listens there yet
	kaddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(kport))

	c, lb, recv := startPublishing(t, dir, kaddr)
	const n = 5
	var ivorns []string
	for i := range n {
		raw, ivorn := publishEvent(t, i)
		if _, err := sender.Send(ctx, recv, raw, "", 10*time.Second); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		// Acked: its row is committed with the archive row.
		r, ok := queueRows(t, c.store)[ivorn]
		if !ok || r.state != "queued" {
			t.Fatalf("event %d acked without a queued row: %+v", i, r)
		}
		if want := store.PublishRecordID(r.eventID, ivorn, publishTopic); !bytes.Equal(r.recordID, want[:]) {
			t.Fatalf("event %d: record id %x, want %x", i, r.recordID, want)
		}
		ivorns = append(ivorns, ivorn)
	}
	// Kafka's own events are archived, never queued.
	fromKafka, kivorn := publishEvent(t, 100)
	deliverKafka(t, c, fromKafka, publishTopic)

	// Retried with backoff, the reason kept: attempt k+1 starts at the
	// next_at that attempt k set, and sets its own a backoff (300, 600,
	// 1200 ms) after it fails (a 100 ms attempt), so successive next_at
	// are at least the backoff apart; with no backoff they would be an
	// attempt apart.
	nextAt := map[int64]int64{}
	waitPublish(t, "three failed attempts", func() bool {
		r := queueRows(t, c.store)[ivorns[0]]
		nextAt[r.attempts] = r.nextAt
		return r.attempts >= 3
	})
	for k := int64(1); k < 3; k++ {
		a, b := nextAt[k], nextAt[k+1]
		if want := (testRetryBase << k).Milliseconds(); a != 0 && b != 0 && b-a < want {
			t.Errorf("attempts %d and %d set next_at %d ms apart, want at least %d (the backoff)", k, k+1, b-a, want)
		}
	}
	if len(nextAt) < 3 {
		t.Logf("observed next_at of attempts %v only", nextAt)
	}
	first := queueRows(t, c.store)
	if r := first[ivorns[0]]; !strings.Contains(r.err, "refused") {
		t.Errorf("last error %q, want the connection refused", r.err)
	}
	if _, ok := first[kivorn]; ok {
		t.Errorf("an event read from Kafka was queued to be published")
	}
	if st, ok := lb.Publishing(); !ok || !st.Failing || st.Waiting != n || st.Published != 0 {
		t.Errorf("publishing state %+v", st)
	}

	// A restart with the cluster still away: the rows wait.
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	c.Close(sctx)
	cancel()

	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(kport), kfake.SeedTopics(1, publishTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	c, lb, _ = startPublishing(t, dir, kaddr)
	defer c.Close(ctx)
	waitPublish(t, "every row done", func() bool {
		rows := queueRows(t, c.store)
		for _, iv := range ivorns {
			if rows[iv].state != "done" {
				return false
			}
		}
		return true
	})
	if st, _ := lb.Publishing(); st.Failing || st.Waiting != 0 || st.Published != n {
		t.Errorf("publishing state after delivery %+v", st)
	}
	// An idle worker wakes on the commit that queues an event (it has no
	// timer to poll with).
	raw, ivorn := publishEvent(t, n)
	recvAddr, _ := lb.Addresses()
	if _, err := sender.Send(ctx, endpoint.Endpoint{Network: "tcp", Address: recvAddr}, raw, "", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	waitPublish(t, "the event sent to an idle worker done", func() bool { return queueRows(t, c.store)[ivorn].state == "done" })
	ivorns = append(ivorns, ivorn)

	cl, err := kgo.NewClient(kgo.SeedBrokers(kaddr), kgo.ConsumeTopics(publishTopic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	waitPublish(t, "the records on the topic", func() bool {
		pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		cl.PollFetches(pctx).EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
		return len(recs) >= len(ivorns)
	})
	rows := queueRows(t, c.store)
	for i, r := range recs {
		h := map[string][]byte{}
		for _, kv := range r.Headers {
			h[kv.Key] = kv.Value
		}
		raw, ivorn := publishEvent(t, i)
		if !bytes.Equal(r.Value, raw) {
			t.Errorf("record %d is not event %d's bytes (in order)", i, i)
		}
		if row := rows[ivorn]; !bytes.Equal(h[kafka.HeaderID], row.recordID) || (i < n && row.attempts < 1) {
			t.Errorf("record %d: _id %x, the row's %x after %d attempts", i, h[kafka.HeaderID], row.recordID, row.attempts)
		}
		if string(h[kafka.HeaderFormat]) != "voevent" || string(h[kafka.HeaderSender]) != "ivo://test.example/publisher" {
			t.Errorf("record %d headers %q", i, h)
		}
	}
	if len(recs) != len(ivorns) {
		t.Errorf("%d records on the topic, want %d", len(recs), len(ivorns))
	}
}
