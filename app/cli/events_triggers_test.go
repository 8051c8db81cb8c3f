package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/apptest"
)

// kafkaRecord is a JSON record as a Kafka source reads it from a topic.
type kafkaRecord struct {
	raw   []byte
	topic string
}

// archiveKafka archives records, in order, through the Kafka handler's path
// (apptest.Archive) into a new data directory, and returns it.
func archiveKafka(t *testing.T, recs []kafkaRecord) string {
	t.Helper()
	dir := t.TempDir()
	items := make([]apptest.Item, len(recs))
	for i, r := range recs {
		items[i] = apptest.Item{Raw: r.raw, Topic: r.topic, Offset: int64(i)}
	}
	apptest.Archive(t, dir, items...)
	return dir
}

func sample(t *testing.T, name, topic string) kafkaRecord {
	return kafkaRecord{readFile(t, skymapNotices+name), topic}
}

// 60 heartbeats and 3 alerts: the alert lists and counts show 3; asked
// for by their source, the 60 heartbeats are all there.
func TestEventsListLeavesOutHeartbeats(t *testing.T) {
	var recs []kafkaRecord
	t0 := time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC)
	for i := range 60 {
		raw := fmt.Sprintf(`{"$schema":"https://gcn.nasa.gov/schema/v4.1.0/gcn/notices/core/Alert.schema.json","alert_datetime":%q}`,
			t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
		recs = append(recs, kafkaRecord{[]byte(raw), "gcn.heartbeat"})
		switch i {
		case 10:
			recs = append(recs, sample(t, "gcn-schema/km3net.alert.example.json", "gcn.notices.km3net"))
		case 20:
			recs = append(recs, sample(t, "gcn-schema/maxi.gsc.known.example.json", "gcn.notices.maxi"))
		case 30:
			recs = append(recs, sample(t, "lvk-gocart/S230528ay-preliminary.json", "igwn.gwalert"))
		}
	}
	dir := archiveKafka(t, recs)
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"events", "list", "--json"}, 3},
		{[]string{"events", "list", "--json", "--limit", "200", "--source", "gcn.heartbeat"}, 60},
		{[]string{"events", "list", "--json", "--source", "gcn.notices"}, 2},
	} {
		st, out, errs := runCLI(append(c.args, "--data-dir", dir)...)
		if st != 0 {
			t.Fatalf("%v: status %d: %s", c.args, st, errs)
		}
		objs := jsonLines(t, out)
		if len(objs) != c.want {
			t.Errorf("%v: %d lines, want %d", c.args, len(objs), c.want)
		}
		for _, o := range objs {
			if (o["alert_type"] == "Heartbeat") != (c.want == 60) {
				t.Errorf("%v: %v", c.args, o)
			}
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"events", "list", "--count"}, "3"},
		{[]string{"events", "list", "--count", "--source", "gcn.heartbeat"}, "60"},
		{[]string{"events", "list", "--count", "--search", "heartbeat"}, "0"},
	} {
		st, out, errs := runCLI(append(c.args, "--data-dir", dir)...)
		if st != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("%v: status %d, %q (want %s) %s", c.args, st, out, c.want, errs)
		}
	}
}

// MS230425k's Preliminary, Retraction and Initial (received in that
// order) and a real superevent's Preliminary.
func TestEventsTriggers(t *testing.T) {
	dir := archiveKafka(t, []kafkaRecord{
		sample(t, "lvk-gocart/MS230425k-preliminary.json", "igwn.gwalert"),
		sample(t, "lvk-gocart/MS230425k-retraction.json", "igwn.gwalert"),
		sample(t, "lvk-gocart/MS230425k-initial.json", "igwn.gwalert"),
		sample(t, "lvk-gocart/S230528ay-preliminary.json", "igwn.gwalert"),
	})
	st, out, errs := runCLI("events", "triggers", "--json", "--data-dir", dir)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	objs := jsonLines(t, out)
	if len(objs) != 1 || objs[0]["trigger"] != "S230528ay" || objs[0]["retracted"] != false {
		t.Fatalf("without --test: %s", out)
	}
	st, out, errs = runCLI("events", "triggers", "--json", "--test", "--data-dir", dir)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	objs = jsonLines(t, out)
	if len(objs) != 2 || objs[1]["trigger"] != "MS230425k" {
		t.Fatalf("with --test: %s", out)
	}
	ms := objs[1]
	if fmt.Sprint(ms["alerts"]) != "[Preliminary Initial Retraction]" || ms["retracted"] != true || ms["test"] != true {
		t.Errorf("MS230425k: %v", ms)
	}
	latest, _ := ms["latest"].(map[string]any)
	if latest["alert_type"] != "Initial" || latest["trigger_retracted"] != true {
		t.Errorf("latest: %v", latest)
	}
	cls, _ := ms["classification"].(map[string]any)
	if cls["BNS"] != 1.0 || cls["Terrestrial"] != 0.0 || ms["has_ns"] != 1.0 || ms["has_remnant"] != 1.0 || ms["has_mass_gap"] != 0.0 ||
		ms["significant"] != true || ms["far_hz"] != 5.176954877338635e-16 {
		t.Errorf("GW fields: %v", ms)
	}
	for _, k := range []string{"distmean", "diststd", "area90", "ra", "dec"} {
		if v, ok := ms[k].(float64); !ok || v == 0 {
			t.Errorf("%s = %v", k, ms[k])
		}
	}
	// events list marks every alert of the retracted trigger.
	_, out, _ = runCLI("events", "list", "--json", "--data-dir", dir)
	for _, o := range jsonLines(t, out) {
		if want := o["trigger"] == "MS230425k"; (o["trigger_retracted"] == true) != want {
			t.Errorf("%v %v: trigger_retracted %v", o["trigger"], o["alert_type"], o["trigger_retracted"])
		}
	}
	// --since after every alert: none; the table names the state.
	if _, out, _ = runCLI("events", "triggers", "--since", "1m", "--test", "--json", "--data-dir", dir); len(jsonLines(t, out)) != 2 {
		t.Errorf("--since 1m (received just now): %s", out)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if _, out, _ = runCLI("events", "triggers", "--since", future, "--test", "--data-dir", dir); strings.TrimSpace(out) != "No triggers." {
		t.Errorf("--since %s: %s", future, out)
	}
	_, out, _ = runCLI("events", "triggers", "--test", "--data-dir", dir)
	if !strings.Contains(out, "MS230425k") || !strings.Contains(out, "RETRACTED (test)") || !strings.Contains(out, "Preliminary → Initial → Retraction") ||
		!strings.Contains(out, "BNS 100%") {
		t.Errorf("table:\n%s", out)
	}
	if st, _, errs := runCLI("events", "triggers", "--since", "yesterday-ish", "--data-dir", dir); st == 0 || !strings.Contains(errs, "--since") {
		t.Errorf("a bad --since: status %d, %s", st, errs)
	}
}
