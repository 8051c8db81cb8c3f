package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/starling-broker/starling/internal/porttest"
)

// TestKafkaKill9BacklogReplayed is the outage of the problem report: a
// Kafka-fed broker is killed (kill -9) with a pygcn-style listener
// connected; 19 real VOEvents are put on a GCN-named topic while it is
// down; restarted, it archives and relays them before the listener is back.
// With replay (the default) the listener, reconnecting, gets all 19 in
// order and byte for byte, then live events; with --no-broadcast-replay it
// gets none of them, as from Comet.
func TestKafkaKill9BacklogReplayed(t *testing.T) {
	evs := realVOEvents(t)
	accepted := receiverVerdicts(t, evs)
	var usable []manifestEntry
	for _, e := range evs {
		if accepted[e.ivorn] {
			usable = append(usable, e)
		}
	}
	if len(usable) < 22 {
		t.Fatalf("only %d real events the receiver accepts, want 22", len(usable))
	}
	warm, backlog, live := usable[:2], usable[2:21], usable[21:22]
	const topic = "gcn.classic.voevent.SWIFT_BAT_GRB_POS_ACK"

	for _, replay := range []bool{true, false} {
		t.Run(fmt.Sprintf("replay=%v", replay), func(t *testing.T) {
			k := startKfaked(t, "-seed-topic", topic)
			port := porttest.Free(t, 1)[0]
			data := t.TempDir()
			flags := []string{"--kafka-bootstrap", k.addr, "--kafka-topic", topic, "--kafka-from", "earliest"}
			if !replay {
				flags = append(flags, "--no-broadcast-replay")
			}
			b := startKafkaBroker(t, "replay", data, port, flags...)
			// One partition, so that the archive (and replay) order is the order produced.
			cl := kafkaClient(t, k.addr, kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
			listener := dialSub(t, addr(port), nil, func(s *rawSub) { s.noAuth = true })
			b.waitLog(`New subscriber at`)
			for _, e := range warm {
				produce(t, cl, &kgo.Record{Value: e.raw})
			}
			waitFor(t, "the first events at the listener", func() bool { return len(listener.got()) == len(warm) })

			b.cmd.Process.Kill()
			<-b.done
			listener.c.Close()
			<-listener.closed
			for _, e := range backlog {
				produce(t, cl, &kgo.Record{Value: e.raw})
			}
			b = startKafkaBroker(t, "replay", data, port, flags...)
			// Archived, and so relayed at once, to nobody.
			waitArchived(t, data, "the backlog archived", 30*time.Second, func(a []eventJSON) bool { return len(a) == len(warm)+len(backlog) })

			listener = dialSub(t, addr(port), nil, func(s *rawSub) { s.noAuth = true })
			b.waitLog(`New subscriber at`)
			if replay {
				waitFor(t, "the backlog at the listener", func() bool { return len(listener.got()) >= len(backlog) })
			}
			// A live event after the backlog: once it is there, whatever
			// was to come before it has come.
			waitFor(t, "the listener live", func() bool {
				return replayedLine.MatchString(b.logText()) || !replay
			})
			produce(t, cl, &kgo.Record{Value: live[0].raw})
			waitFor(t, "the live event at the listener", func() bool { return listener.count(live[0].ivorn) == 1 })
			got := listener.got()

			// At least once: the events acknowledged in the broker's last
			// second before the kill may come again, first (the last of
			// the warm-up events, in order).
			resent := 0
			for _, w := range warm {
				if len(got) > resent && bytes.Equal(got[resent], w.raw) {
					resent++
				}
			}
			got = got[resent:]
			// In archive order: the Kafka source handles a fetch's records
			// concurrently, so that is not quite the order produced.
			var want [][]byte
			if replay {
				byKey := map[string][]byte{}
				for _, e := range backlog {
					byKey[e.ivorn] = e.raw
				}
				for _, key := range archiveOrder(t, data) {
					if raw, ok := byKey[key]; ok {
						want = append(want, raw)
					}
				}
				if len(want) != len(backlog) {
					t.Fatalf("%d of the %d missed events in the archive", len(want), len(backlog))
				}
			}
			want = append(want, live[0].raw)
			if len(got) != len(want) || !equalAll(got, want) {
				t.Logf("got:  %s\nwant: %s\nwarm: %s", ivornsOf(got), ivornsOf(want), ivornsOf(rawsOf(warm)))
			}
			if len(got) != len(want) {
				t.Fatalf("the listener got %d events after it came back, want %d (%d of the %d missed)", len(got), len(want), len(got)-1, len(backlog))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("event %d differs from the one produced:\n got %.300s\nwant %.300s", i+1, got[i], want[i])
				}
			}
			if replay {
				b.waitLog(fmt.Sprintf(`Replayed %d missed events to 127\.0\.0\.1:\d+`, len(backlog)+resent))
			} else if replayedLine.MatchString(b.logText()) {
				t.Error("replayed with --no-broadcast-replay")
			}
			t.Logf("after the kill -9 and restart, the listener got %d of the %d events archived while it was away (and %d it had acknowledged before the kill again)", len(got)-1, len(backlog), resent)
		})
	}
}

// archiveOrder lists the keys of dataDir's archive by archive id.
func archiveOrder(t *testing.T, dataDir string) []string {
	t.Helper()
	r := run(t, "", nil, "events", "list", "--json", "--limit", "100000", "--data-dir", dataDir)
	if r.code != 0 {
		t.Fatalf("events list: exit %d: %s", r.code, r.stderr)
	}
	type row struct {
		ID  int64  `json:"id"`
		Key string `json:"key"`
	}
	var rows []row
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var e row
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("events list --json line %q: %v", line, err)
		}
		rows = append(rows, e)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	keys := make([]string, len(rows))
	for i, e := range rows {
		keys[i] = e.Key
	}
	return keys
}

func equalAll(a, b [][]byte) bool {
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func ivornsOf(raws [][]byte) string {
	var out []string
	for _, r := range raws {
		if m := ivornAttr.FindSubmatch(r); m != nil {
			out = append(out, string(m[1]))
		}
	}
	return strings.Join(out, " ")
}

var replayedLine = regexp.MustCompile(`Replayed \d+ missed events to`)

func rawsOf(es []manifestEntry) [][]byte {
	out := make([][]byte, len(es))
	for i, e := range es {
		out[i] = e.raw
	}
	return out
}
