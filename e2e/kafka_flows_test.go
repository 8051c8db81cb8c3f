package e2e

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/starling-broker/starling/internal/porttest"
)

// TestKafkaFromWindow: --kafka-from 1h starts a new group at the first
// record of the last hour; older records are never read.
func TestKafkaFromWindow(t *testing.T) {
	topic := "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"
	k := startKfaked(t, "-seed-topic", topic)
	cl := kafkaClient(t, k.addr, kgo.DefaultProduceTopic(topic))
	now := time.Now()
	for i := 0; i < 6; i++ {
		at := now.Add(-3 * time.Hour) // three records older than the window
		if i >= 3 {
			at = now.Add(-10 * time.Minute)
		}
		produce(t, cl, &kgo.Record{Value: gcnEvent(t, i), Timestamp: at})
	}
	port := porttest.Free(t, 1)[0]
	data := t.TempDir()
	startKafkaBroker(t, "window", data, port, "--kafka-bootstrap", k.addr, "--kafka-topic", topic, "--kafka-from", "1h")
	produce(t, cl, &kgo.Record{Value: gcnEvent(t, 6)})
	// Offsets are committed once a fetch is stored: at 7, all is stored.
	waitFor(t, "the group's offset past the last record", func() bool { return committed(t, cl, "starling-e2e-window", topic) == 7 })
	arch := archived(t, data, "--source", "kafka")
	var got []string
	for _, e := range arch {
		got = append(got, fmt.Sprintf("%s@%d", e.Key[strings.LastIndex(e.Key, "_")+1:], *e.Offset))
	}
	slices.Sort(got)
	if strings.Join(got, ",") != "3@3,4@4,5@5,6@6" {
		t.Fatalf("archived %v, want the records of the last hour (3, 4, 5) and the new one (6), not 0-2", got)
	}
}

// TestKafkaScaleOut: brokers A and B share one topic (each consumes and
// publishes it); an event submitted to either receiver reaches the
// subscribers of both exactly once, and the topic holds each event once.
func TestKafkaScaleOut(t *testing.T) {
	k := startKfaked(t, "-seed-topic", "shared")
	p := porttest.Free(t, 4)
	kflags := []string{"--kafka-bootstrap", k.addr, "--kafka-topic", "shared", "--kafka-publish", "shared", "--kafka-from", "earliest", "--broadcast-test-interval", "0"}
	a := startRelay(t, "a", t.TempDir(), p[0], p[1], kflags...)
	b := startRelay(t, "b", t.TempDir(), p[2], p[3], kflags...)
	for _, br := range []*proc{a, b} {
		br.waitLog(`Kafka source .*: consuming`)
	}
	subA := dialSub(t, addr(p[1]), nil)
	subB := dialSub(t, addr(p[3]), nil)
	waitFor(t, "the subscribers", func() bool {
		return strings.Contains(a.logText(), "New subscriber at") && strings.Contains(b.logText(), "New subscriber at")
	})
	files := []string{"testdata/voevent.xml", "testdata/swift_bat.xml", "testdata/example.xml"}
	ivorns := []string{"gaia_demo#1", "BAT_GRB_Pos_532871-729", "exciting_events#123"}
	for i, f := range files {
		port := p[0]
		if i == 1 {
			port = p[2]
		}
		if r := run(t, "", nil, "sendvo", "-f", f, "-h", "127.0.0.1", "-p", fmt.Sprint(port)); r.code != 0 {
			t.Fatalf("sendvo %s: exit %d: %s%s", f, r.code, r.stdout, r.stderr)
		}
		for _, s := range []*rawSub{subA, subB} {
			waitFor(t, ivorns[i]+" at both subscribers", func() bool { return s.count(ivorns[i]) >= 1 })
		}
	}
	recs := consumeAll(t, k.addr, "shared")
	if len(recs) != len(files) {
		t.Errorf("the topic holds %d records, want %d (one per event)", len(recs), len(files))
	}
	for i, f := range files {
		n := 0
		for _, r := range recs {
			if bytes.Equal(r.Value, readFile(t, f)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is in the topic %d times", f, n)
		}
		for name, s := range map[string]*rawSub{"A": subA, "B": subB} {
			if c := s.count(ivorns[i]); c != 1 {
				t.Errorf("the subscriber of %s got %s %d times", name, ivorns[i], c)
			}
		}
	}
}

// TestKafkaSendvo: `starling sendvo --kafka-*` publishes the file as one
// record with Hopskotch's headers; an unreachable cluster is an exit status
// and a plain message.
func TestKafkaSendvo(t *testing.T) {
	k := startKfaked(t, "-seed-topic", "out")
	test := filepath.Join("..", "testdata", "voevents", "public", "4pisky", "TEST-TRIGGER_151216-1730.11.xml")
	obs := "testdata/swift_bat.xml"
	for _, f := range []string{obs, test} {
		r := run(t, "", nil, "sendvo", "--kafka-bootstrap", k.addr, "--kafka-topic", "out", "-f", f)
		if r.code != 0 || !strings.Contains(r.stdout, "ACK received: Kafka topic out") {
			t.Fatalf("sendvo %s: exit %d: %s%s", f, r.code, r.stdout, r.stderr)
		}
	}
	recs := consumeAll(t, k.addr, "out")
	if len(recs) != 2 {
		t.Fatalf("the topic holds %d records, want 2", len(recs))
	}
	for i, f := range []string{obs, test} {
		r := recs[i]
		h := map[string][]byte{}
		for _, kv := range r.Headers {
			h[kv.Key] = kv.Value
		}
		if !bytes.Equal(r.Value, readFile(t, f)) {
			t.Errorf("record %d is not the bytes of %s", i, f)
		}
		if string(h["_format"]) != "voevent" || len(h["_id"]) != 16 {
			t.Errorf("record %d headers: _format %q, _id %d bytes", i, h["_format"], len(h["_id"]))
		}
		if _, ok := h["_sender"]; !ok {
			t.Errorf("record %d has no _sender header", i)
		}
		if want, _, _ := strings.Cut(ivornAttr.FindStringSubmatch(string(r.Value))[1], "#"); string(h["_sender"]) != want {
			t.Errorf("record %d: _sender %q, want the event's stream %q", i, h["_sender"], want)
		}
		if _, isTest := h["_test"]; isTest != (f == test) {
			t.Errorf("record %d (%s): _test header present = %v", i, f, isTest)
		}
	}

	closed := fmt.Sprintf("127.0.0.1:%d", porttest.Free(t, 1)[0])
	r := run(t, "", nil, "sendvo", "--kafka-bootstrap", closed, "--kafka-topic", "out", "-f", obs, "--timeout", "3")
	if r.code != 3 || !strings.Contains(r.stderr, "connection refused") {
		t.Fatalf("sendvo to a closed port: exit %d (want 3): %s", r.code, r.stderr)
	}
	r = run(t, "", nil, "sendvo", "--kafka-bootstrap", k.addr, "-f", obs)
	if r.code != 2 || !strings.Contains(r.stderr, "--kafka-topic is required") {
		t.Fatalf("sendvo without a topic: exit %d: %s", r.code, r.stderr)
	}
}

// TestKafkaTopicsCommand: `starling kafka topics` lists the seeded topics
// with partitions, sizes and newest times over SCRAM-SHA-512; a wrong
// password is a clear message and a non-zero status.
func TestKafkaTopicsCommand(t *testing.T) {
	pw := writeSecret(t, "s3cret-Pa55", 0o600)
	k := startKfaked(t, "-scram512", "alice:"+pw, "-seed-topic", "gcn.classic.voevent.FERMI_GBM_FLT_POS:3", "-seed-topic", "igwn.gwalert")
	cl := kafkaClient(t, k.addr, kgo.SASL(scram.Auth{User: "alice", Pass: "s3cret-Pa55"}.AsSha512Mechanism()), kgo.DefaultProduceTopic("igwn.gwalert"))
	at := time.Date(2026, 11, 30, 12, 34, 56, 0, time.UTC)
	produce(t, cl, &kgo.Record{Value: []byte(`{"a":1}`), Timestamp: at.Add(-time.Hour)}, &kgo.Record{Value: []byte(`{"a":2}`), Timestamp: at})
	args := []string{"kafka", "topics", "--timeout", "5", "--kafka-bootstrap", k.addr, "--kafka-auth", "scram-sha-512", "--kafka-user", "alice", "--kafka-password-file", pw}
	r := run(t, "", nil, args...)
	if r.code != 0 {
		t.Fatalf("kafka topics: exit %d: %s", r.code, r.stderr)
	}
	for _, re := range []string{`gcn\.classic\.voevent\.FERMI_GBM_FLT_POS\s+3\s+0\s+-`, `igwn\.gwalert\s+1\s+2\s+2026-11-30 12:34:56`} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("kafka topics printed no line matching %s:\n%s", re, r.stdout)
		}
	}
	wrong := writeSecret(t, "not-it", 0o600)
	args[len(args)-1] = wrong
	args[3] = "30" // --timeout: a refusal must not wait for it
	began := time.Now()
	r = run(t, "", nil, args...)
	if r.code == 0 || !strings.Contains(r.stderr, "authentication refused") {
		t.Fatalf("kafka topics with a wrong password: exit %d: %s", r.code, r.stderr)
	}
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("kafka topics took %s to report refused credentials: it retried them", took.Round(time.Millisecond))
	}
	t.Logf("wrong password: exit %d: %s", r.code, strings.TrimSpace(r.stderr))
	began = time.Now()
	r = run(t, "", nil, "sendvo", "--kafka-bootstrap", k.addr, "--kafka-topic", "igwn.gwalert", "--kafka-auth", "scram-sha-512",
		"--kafka-user", "alice", "--kafka-password-file", wrong, "-f", "testdata/voevent.xml")
	if r.code != 3 || !strings.Contains(r.stderr, "authentication refused") || time.Since(began) > 10*time.Second {
		t.Fatalf("sendvo with a wrong password: exit %d after %s: %s", r.code, time.Since(began).Round(time.Millisecond), r.stderr)
	}
}
