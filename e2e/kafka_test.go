package e2e

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/vtp"
)

// startKafkaBroker runs `starling broker` that broadcasts on a free port and
// consumes Kafka with the extra flags; it returns the process and the
// broadcast address.
func startKafkaBroker(t *testing.T, name, dataDir string, bcast int, extra ...string) *proc {
	t.Helper()
	args := append([]string{"broker", "--local-ivo=ivo://e2e/" + name,
		fmt.Sprintf("--broadcast=tcp:%d:interface=127.0.0.1", bcast),
		"--data-dir", dataDir, "--broadcast-test-interval", "0"}, extra...)
	p := start(t, args...)
	p.waitLog(fmt.Sprintf(`Broadcasting events on 127\.0\.0\.1:%d`, bcast))
	return p
}

// receiverVerdicts submits every event to a plain VTP receiver and returns
// the IVORNs it acknowledged: what a Kafka source must relay.
func receiverVerdicts(t *testing.T, evs []manifestEntry) map[string]bool {
	t.Helper()
	_, recv := startBroker(t, t.TempDir())
	acked := map[string]bool{}
	for _, e := range evs {
		if m := submit(t, recv, e.raw); m.Role == vtp.RoleAck {
			acked[e.ivorn] = true
		}
	}
	return acked
}

// TestKafkaRelayRealVOEvents: the real VOEvents of testdata, produced to
// gcn.classic.voevent.* topics, reach a pygcn-style subscriber (it never
// answers authenticate) byte for byte, and a filtering subscriber by its
// XPath; exactly the events a VTP receiver accepts are relayed; JSON notices
// are archived with kind json; garbage is skipped with its offset in the
// log; `events list --json --source kafka` shows topic/partition/offset.
func TestKafkaRelayRealVOEvents(t *testing.T) {
	evs := realVOEvents(t)
	accepted := receiverVerdicts(t, evs)
	if len(accepted) < 50 || len(accepted) == len(evs) {
		t.Fatalf("the receiver accepted %d of %d events: the test needs both kinds", len(accepted), len(evs))
	}
	topics := []string{"gcn.classic.voevent.FERMI_GBM_FLT_POS", "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK", "gcn.classic.voevent.LVC_PRELIMINARY"}
	k := startKfaked(t, "-seed-topic", topics[0]+":2", "-seed-topic", topics[1], "-seed-topic", topics[2], "-seed-topic", "igwn.gwalert", "-seed-topic", "gcn.heartbeat")
	port := porttest.Free(t, 1)[0]
	data := t.TempDir()
	b := startKafkaBroker(t, "kafka", data, port, "--kafka-bootstrap", k.addr,
		"--kafka-topic", `^gcn\.classic\.voevent\..*`, "--kafka-topic", "igwn.gwalert", "--kafka-from", "earliest")
	pygcn := dialSub(t, addr(port), nil, func(s *rawSub) { s.noAuth = true })
	observations := dialSub(t, addr(port), []string{"/*[@role='observation']"})
	waitFor(t, "two subscribers", func() bool { return strings.Count(b.logText(), "New subscriber at") == 2 })
	b.waitLog(`Installing filter`)

	cl := kafkaClient(t, k.addr)
	var recs []*kgo.Record
	for i, e := range evs {
		recs = append(recs, &kgo.Record{Topic: topics[i%len(topics)], Value: e.raw})
	}
	notices := [][]byte{
		readFile(t, filepath.Join("..", "testdata", "notices", "gcn-schema", "einstein_probe.wxt.alert.example.json")),
		readFile(t, filepath.Join("..", "testdata", "notices", "gcn-schema", "icecube.lvk_nu_track_search.example.json")),
	}
	for _, n := range notices {
		recs = append(recs, &kgo.Record{Topic: "igwn.gwalert", Value: n})
	}
	recs = append(recs, &kgo.Record{Topic: topics[1], Value: []byte("\x00\x01\x02 not an alert")},
		&kgo.Record{Topic: "gcn.heartbeat", Value: []byte(`{"alive": true}`)}) // not subscribed
	produce(t, cl, recs...)
	// A last valid event on every partition: once each has arrived,
	// everything produced before it has been handled and relayed.
	var sentinels []string
	for i, tp := range []struct {
		topic string
		part  int32
	}{{topics[0], 0}, {topics[0], 1}, {topics[1], 0}, {topics[2], 0}} {
		ev := gcnEvent(t, 1000+i)
		sentinels = append(sentinels, fmt.Sprintf("GBM_Flt_Pos_e2e_%d", 1000+i))
		produce(t, kafkaClient(t, k.addr, kgo.RecordPartitioner(kgo.ManualPartitioner())), &kgo.Record{Topic: tp.topic, Partition: tp.part, Value: ev})
	}
	waitFor(t, "every event and sentinel at the pygcn-style subscriber", func() bool {
		for _, s := range sentinels {
			if pygcn.count(s) != 1 {
				return false
			}
		}
		return len(pygcn.got()) >= len(accepted)+len(sentinels)
	})
	byIVORN := map[string]manifestEntry{}
	for _, e := range evs {
		byIVORN[e.ivorn] = e
	}
	ivornRe := regexp.MustCompile(`ivorn\s*=\s*["']([^"']+)["']`)
	check := func(who string, sub *rawSub, want func(manifestEntry) bool) {
		got := map[string]int{}
		for _, raw := range sub.got() {
			m := ivornRe.FindSubmatch(raw)
			if m == nil {
				t.Fatalf("%s got an event without an ivorn: %.200s", who, raw)
			}
			iv := string(m[1])
			if strings.Contains(iv, "GBM_Flt_Pos_e2e_") {
				continue
			}
			e, ok := byIVORN[iv]
			if !ok {
				t.Errorf("%s got an unknown event %s", who, iv)
				continue
			}
			if !bytes.Equal(raw, e.raw) {
				t.Errorf("%s got %s changed (%d bytes, file %d)", who, iv, len(raw), len(e.raw))
			}
			got[iv]++
		}
		n := 0
		for _, e := range evs {
			switch {
			case want(e) && got[e.ivorn] != 1:
				t.Errorf("%s got %s (%s) %d times, want once", who, e.ivorn, e.path, got[e.ivorn])
			case !want(e) && got[e.ivorn] != 0:
				t.Errorf("%s got %s (%s), which it should not", who, e.ivorn, e.path)
			}
			if want(e) {
				n++
			}
		}
		t.Logf("%s received %d of the %d real events", who, n, len(evs))
	}
	check("the pygcn-style subscriber", pygcn, func(e manifestEntry) bool { return accepted[e.ivorn] })
	waitFor(t, "the sentinels at the filtering subscriber", func() bool {
		for _, s := range sentinels {
			if observations.count(s) != 1 {
				return false
			}
		}
		return true
	})
	check("the filtering subscriber", observations, func(e manifestEntry) bool { return accepted[e.ivorn] && e.role == "observation" })

	refused := len(evs) - len(accepted)
	waitFor(t, "every refusal logged", func() bool { return strings.Count(b.logText(), "Kafka record refused") == refused })
	b.waitLog(`Kafka record skipped: neither XML nor JSON.*` + regexp.QuoteMeta(topics[1]) + `\[0\]@\d+`)

	arch := archived(t, data, "--source", "kafka")
	kinds := map[string]int{}
	for _, e := range arch {
		kinds[e.Kind]++
		if e.Topic == "" || e.Partition == nil || e.Offset == nil || !strings.HasPrefix(e.Source, "kafka ") {
			t.Errorf("archived %s without its Kafka record: %+v", e.Key, e)
		}
		if e.Kind == "json" && e.Topic != "igwn.gwalert" {
			t.Errorf("JSON %s archived from topic %s", e.Key, e.Topic)
		}
		if e.Topic == "gcn.heartbeat" {
			t.Errorf("an unsubscribed topic was archived: %+v", e)
		}
	}
	if kinds["json"] != len(notices) || len(arch) != len(accepted)+len(sentinels)+len(notices) {
		t.Fatalf("archive holds %d records %v, want %d VOEvents and %d JSON", len(arch), kinds, len(accepted)+len(sentinels), len(notices))
	}
}

// TestKafkaKill9MidStream: the broker is killed with SIGKILL while ~300
// events are produced at a steady rate, and restarted on the same data
// directory. Commit-after-store means the archive ends complete and without
// duplicates. The broadcaster's replay means the subscriber (which redials
// at once) misses none: neither events archived but not yet relayed when the
// broker died, nor those the restarted broker relays before it has
// reconnected. Replay is at least once: the events it acknowledged after the
// broker last saved its cursor (at most a second before the kill) come again;
// the test reports how many, and checks that only those come twice.
func TestKafkaKill9MidStream(t *testing.T) {
	const total = 300
	topic := "gcn.classic.voevent.FERMI_GBM_FLT_POS"
	k := startKfaked(t, "-seed-topic", topic+":2")
	port := porttest.Free(t, 1)[0]
	data := t.TempDir()
	flags := []string{"-v", "--kafka-bootstrap", k.addr, "--kafka-topic", topic, "--kafka-from", "earliest"}
	b := startKafkaBroker(t, "k9", data, port, flags...)
	sub := newReSub(t, addr(port))
	b.waitLog(`New subscriber at`)

	cl := kafkaClient(t, k.addr, kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(topic))
	ivorn := func(i int) string { return fmt.Sprintf("ivo://nasa.gsfc.gcn/Fermi#GBM_Flt_Pos_e2e_%d", i) }
	produced := make(chan error, 1)
	go func() {
		tick := time.NewTicker(10 * time.Millisecond) // 100 events/s
		defer tick.Stop()
		for i := 0; i < total; i++ {
			<-tick.C
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := cl.ProduceSync(ctx, &kgo.Record{Partition: int32(i % 2), Value: gcnEvent(t, i)}).FirstErr()
			cancel()
			if err != nil {
				produced <- err
				return
			}
		}
		produced <- nil
	}()
	waitFor(t, "a third of the stream at the subscriber", func() bool { return len(sub.snapshot()) >= total/3 })
	b.cmd.Process.Kill()
	<-b.done
	killedAt := time.Now()
	relayedBefore := len(sub.snapshot())
	b = startKafkaBroker(t, "k9", data, port, flags...)
	if err := <-produced; err != nil {
		t.Fatal(err)
	}
	arch := waitArchived(t, data, "every event archived", 30*time.Second, func(evs []eventJSON) bool { return len(evs) >= total })
	keys := map[string]int{}
	for _, e := range arch {
		keys[e.Key]++
	}
	for i := 0; i < total; i++ {
		if keys[ivorn(i)] != 1 {
			t.Errorf("%s archived %d times", ivorn(i), keys[ivorn(i)])
		}
	}
	if len(arch) != total {
		t.Errorf("archive holds %d Kafka events, want %d", len(arch), total)
	}
	waitFor(t, "the last events at the subscriber", func() bool {
		s := sub.snapshot()
		return s[ivorn(total-1)] == 1 && s[ivorn(total-2)] == 1
	})
	got := sub.snapshot()
	conns, back := sub.connections()
	received := map[string]time.Time{}
	for _, e := range arch {
		received[e.Key], _ = time.Parse(time.RFC3339Nano, e.Received)
	}
	var missing, beforeKill []string
	again := 0
	for i := 0; i < total; i++ {
		switch n := got[ivorn(i)]; {
		case n > 2:
			t.Errorf("the subscriber got %s %d times", ivorn(i), n)
		case n == 2:
			again++
			if !received[ivorn(i)].Before(killedAt) {
				t.Errorf("the subscriber got %s twice, though it was archived after the kill", ivorn(i))
			}
		case n == 0:
			missing = append(missing, fmt.Sprintf("%d", i))
			if received[ivorn(i)].Before(killedAt) {
				beforeKill = append(beforeKill, fmt.Sprintf("%d", i))
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("the subscriber missed %d events: %v (%v archived before the kill)", len(missing), missing, beforeKill)
	}
	reread := strings.Count(b.logText(), "Kafka record previously seen")
	t.Logf("killed after %d events relayed; after the restart %d records were read again and dropped as seen; the subscriber (%d connections, back %s after the kill) missed %d events and got %d of those it had before the kill again (replay is at least once)",
		relayedBefore, reread, conns, back.Sub(killedAt).Round(time.Millisecond), len(missing), again)
}
