package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/assets"
	"github.com/starling-broker/starling/netcore/kafka"
)

const (
	testTopic  = "gcn.classic.voevent.FERMI_GBM_FLT_POS"
	testUser   = "starling"
	testSecret = "pa55-Wd-never-logged-7f3c"
)

// lockedBuffer is a log sink that tests read while sources write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// kafkaCluster starts an in-process cluster that wants SCRAM-SHA-512, and a
// producer for testTopic.
func kafkaCluster(t *testing.T) (*kfake.Cluster, *kgo.Client) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, testTopic), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-512", testUser, testSecret))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic(testTopic),
		kgo.SASL(scram.Auth{User: testUser, Pass: testSecret}.AsSha512Mechanism()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prod.Close)
	return c, prod
}

func produce(t *testing.T, prod *kgo.Client, values ...[]byte) {
	t.Helper()
	for _, v := range values {
		if err := prod.ProduceSync(context.Background(), &kgo.Record{Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// sampleEvent is the sample test event with its own IVORN.
func sampleEvent(key string) []byte {
	return bytes.Replace(assets.SampleTestEvent, []byte("gaia_demo#1"), []byte("gaia_demo#"+key), 1)
}

func openDesktopCore(t *testing.T, dir string, log *lockedBuffer) *Core {
	t.Helper()
	c, err := Open(context.Background(), Options{DataDir: dir, RunSubscriptions: true,
		Log: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func archived(t *testing.T, c *Core) int64 {
	t.Helper()
	n, err := c.store.CountEvents(context.Background(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func onlySource(t *testing.T, c *Core) KafkaSource {
	t.Helper()
	ks, err := c.Sources().Kafka(context.Background())
	if err != nil || len(ks) != 1 {
		t.Fatalf("sources %+v, %v: want one", ks, err)
	}
	return ks[0]
}

// TestKafkaSourceDesktop adds a source with a password, checks that its
// records reach the archive, that the password sits in a 0600 file and
// nowhere else, and that pause, a restart and resume read each record once.
func TestKafkaSourceDesktop(t *testing.T) {
	ctx := context.Background()
	cluster, prod := kafkaCluster(t)
	dir := t.TempDir()
	var log lockedBuffer
	c := openDesktopCore(t, dir, &log)
	defer func() { c.Close(context.Background()) }()
	states := make(chan kafka.State, 64)
	var pushed sync.WaitGroup
	pushed.Add(1)
	var once sync.Once
	c.Watch(func(ch Change) {
		if ch.Source.ID != 0 {
			select {
			case states <- ch.Source.Health.State:
			default:
			}
		}
		if ch.Kind&ChangeArchive != 0 && ch.Alert.ID != 0 {
			once.Do(pushed.Done)
		}
	})

	produce(t, prod, sampleEvent("k1"), []byte(`{"alert_datetime": "2026-12-01T00:00:00Z", "id": ["a"]}`), sampleEvent("k2"))
	id, err := c.Sources().AddKafka(ctx, KafkaSource{Name: "kfake", Bootstrap: cluster.ListenAddrs(),
		Auth: kafka.AuthScramSHA512, User: testUser, Secret: testSecret, Topics: []string{testTopic}, From: "earliest"})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "three events archived", func() bool { return archived(t, c) == 3 })
	pushed.Wait() // the window is told of new events
	waitFor(t, states, kafka.StateConsuming)

	if line := c.StatusLineWith(c.Outbox().Waiting(ctx), time.Now()); !strings.Contains(line, "● kfake: consuming, lag 0") {
		t.Errorf("status line %q does not show the source", line)
	}
	s := onlySource(t, c)
	if s.ID != id || !s.SecretSet || s.Group != "starling-localhost-starling-kfake" || s.From != "earliest" || s.Health.State != kafka.StateConsuming || s.TLS {
		t.Fatalf("source %+v", s)
	}

	// The secret: a 0600 file in a 0700 directory, not in the database nor the log.
	path := filepath.Join(dir, "secrets", "kafka-"+strconv.FormatInt(id, 10))
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("secrets directory mode %v, want 0700", di.Mode().Perm())
	}
	if b, _ := os.ReadFile(path); string(b) != testSecret {
		t.Errorf("secret file holds %d bytes, not the secret", len(b))
	}
	c.store.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	for _, f := range []string{store.FileName, store.FileName + "-wal"} {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); bytes.Contains(b, []byte(testSecret)) {
			t.Errorf("the secret is in %s", f)
		}
	}
	if strings.Contains(log.String(), testSecret) {
		t.Error("the secret is in the log")
	}

	// Paused across a restart: nothing read until resumed, then each record once.
	if err := c.Sources().PauseKafka(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, states, kafka.StatePaused)
	produce(t, prod, sampleEvent("k3"))
	c.Close(context.Background())
	c = openDesktopCore(t, dir, &log)
	s = onlySource(t, c)
	if !s.Paused || !s.SecretSet {
		t.Fatalf("after a restart: %+v, want paused with its secret", s)
	}
	waitUntil(t, "the restored source paused", func() bool { return c.Sources().KafkaHealth()[id].State == kafka.StatePaused })
	if n := archived(t, c); n != 3 {
		t.Fatalf("%d events archived while paused, want 3", n)
	}
	if err := c.Sources().ResumeKafka(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the fourth event", func() bool { return archived(t, c) == 4 })
	// The count of what became of a record follows its commit.
	waitUntil(t, "the record counted", func() bool { h := c.Sources().KafkaHealth()[id]; return h.Stored+h.Duplicates >= 1 })
	h := c.Sources().KafkaHealth()[id]
	if h.Received != 1 || h.Duplicates != 0 || h.Stored != 1 {
		t.Fatalf("health after resume %+v: want only the new record read (committed offsets kept)", h)
	}
	rows, _ := c.Archive().Events(ctx, EventFilter{Text: "gaia_demo#k3"}.Query(EventCursor{}, 10))
	if len(rows) != 1 || rows[0].Topic != testTopic {
		t.Fatalf("k3 rows %+v", rows)
	}
	if onlySource(t, c).Paused {
		t.Error("resumed source still saved as paused")
	}
	if strings.Contains(log.String(), testSecret) {
		t.Error("the secret is in the log")
	}

	// A backfill reads the topic again; the seen-list drops what is archived.
	if err := c.Sources().BackfillKafka(ctx, id, kafka.From{Earliest: true}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the backfill to read the four records again", func() bool { return c.Sources().KafkaHealth()[id].Duplicates == 4 })
	if n := archived(t, c); n != 4 {
		t.Fatalf("%d events archived after a backfill, want 4", n)
	}

	if err := c.Sources().RemoveKafka(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("secret file still there after remove: %v", err)
	}
	if ks, _ := c.Sources().Kafka(ctx); len(ks) != 0 {
		t.Errorf("sources after remove: %+v", ks)
	}
}

func waitFor(t *testing.T, states <-chan kafka.State, want kafka.State) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case s := <-states:
			if s == want {
				return
			}
		case <-timeout:
			t.Fatalf("the source never reported %s", want)
		}
	}
}

// TestAddKafkaSourceErrors checks that a bad spec is refused in words and
// nothing is saved.
func TestAddKafkaSourceErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var log lockedBuffer
	c := openDesktopCore(t, dir, &log)
	defer c.Close(context.Background())
	for _, tc := range []struct {
		spec KafkaSource
		want string
	}{
		{KafkaSource{Preset: "gcn", ClientID: "id", Topics: []string{"igwn.gwalert"}}, "client id and secret"},
		{KafkaSource{Preset: "hopskotch", User: "u", Topics: []string{"^bad("}, Secret: "p"}, "not a valid regular expression"},
		{KafkaSource{Preset: "hopskotch", User: "u", Secret: "p"}, "no topic"},
		{KafkaSource{Bootstrap: []string{"nohost"}, Topics: []string{"t"}}, "not HOST:PORT"},
		{KafkaSource{Bootstrap: []string{"127.0.0.1:9"}, Topics: []string{"t"}, From: "yesterday"}, "start from"},
		{KafkaSource{Preset: "nope", Topics: []string{"t"}}, "unknown preset"},
	} {
		_, err := c.Sources().AddKafka(ctx, tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.spec, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "--kafka") {
			t.Errorf("error %q names command-line flags", err)
		}
	}
	if ks, _ := c.Sources().Kafka(ctx); len(ks) != 0 {
		t.Fatalf("sources saved: %+v", ks)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "secrets")); len(ents) != 0 {
		t.Fatalf("secret files left: %v", ents)
	}

	// A secret that cannot be written is said in words, and the source is not kept.
	if err := os.WriteFile(filepath.Join(dir, "secrets"), []byte("in the way"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := c.Sources().AddKafka(ctx, KafkaSource{Name: "h", Preset: "hopskotch", User: "u", Secret: testSecret, Topics: []string{"t"}})
	if err == nil || !strings.Contains(err.Error(), "cannot create the secrets directory") || strings.Contains(err.Error(), testSecret) {
		t.Fatalf("error %v", err)
	}
	if ks, _ := c.Sources().Kafka(ctx); len(ks) != 0 {
		t.Fatalf("a source whose secret was not written is kept: %+v", ks)
	}
}
