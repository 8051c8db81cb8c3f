package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/apptest"
)

const voeventSamples = "../../testdata/voevents/"

// archive fills a data directory through the broker's own paths: VOEvents
// as the receiver takes them, JSON alerts as the Kafka handler does, in the
// order given. It returns the directory and each file's archive key.
func archive(t *testing.T, files ...string) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	items := make([]apptest.Item, len(files))
	for i, f := range files {
		if strings.HasSuffix(f, ".xml") {
			items[i] = apptest.Item{Raw: readFile(t, voeventSamples+f), Source: "127.0.0.1:9"}
			continue
		}
		path := skymapNotices + f
		if filepath.IsAbs(f) {
			path = f // made by the test
		}
		items[i] = apptest.Item{Raw: readFile(t, path), Topic: "igwn.gwalert", Offset: int64(100 + i)}
	}
	keys := map[string]string{}
	for i, k := range apptest.Archive(t, dir, items...) {
		if items[i].Topic != "" {
			d := sha256.Sum256(items[i].Raw)
			if k != "sha256:"+hex.EncodeToString(d[:]) {
				t.Fatalf("%s archived as %s", files[i], k)
			}
		}
		keys[files[i]] = k
	}
	return dir, keys
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonLines decodes one JSON object per line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v in %q", err, l)
		}
		objs = append(objs, m)
	}
	return objs
}

func keysOf(m map[string]any) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

func TestEventsListJSONKeys(t *testing.T) {
	dir, keys := archive(t, "public/swift/BAT_GRB_Pos_1201696-785.xml",
		"lvk-userguide/MS181101ab-preliminary.json", "lvk-userguide/MS181101ab-retraction.json")
	st, out, errs := runCLI("events", "list", "--json", "--data-dir", dir)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	objs := jsonLines(t, out)
	if len(objs) != 3 {
		t.Fatalf("%d lines:\n%s", len(objs), out)
	}
	always := []string{"alert_type", "dec", "error_deg", "event_time", "format", "id", "key", "kind", "offset", "partition",
		"ra", "received", "role", "source", "test", "topic", "trigger"}
	optional := []string{"far", "mission", "note", "retraction", "significance", "skymap", "trigger_retracted"}
	byKey := map[string]map[string]any{}
	for _, o := range objs {
		for _, k := range always {
			if _, ok := o[k]; !ok {
				t.Errorf("%v lacks %q", o["key"], k)
			}
		}
		for _, k := range keysOf(o) {
			if !slices.Contains(always, k) && !slices.Contains(optional, k) {
				t.Errorf("%v has an unexpected key %q", o["key"], k)
			}
		}
		byKey[o["key"].(string)] = o
	}
	// Newest first.
	if objs[0]["key"] != keys["lvk-userguide/MS181101ab-retraction.json"] {
		t.Errorf("first line is %v", objs[0]["key"])
	}
	swift := byKey["ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785"]
	for k, want := range map[string]any{"ra": 95.7721, "dec": -48.3592, "error_deg": 0.05, "trigger": "1201696",
		"alert_type": "BAT position", "test": false, "format": "voevent", "kind": "voevent", "role": "observation",
		"event_time": "2023-12-10T21:29:04.49Z", "topic": nil, "source": "127.0.0.1:9"} {
		if swift[k] != want {
			t.Errorf("Swift %s = %#v, want %#v", k, swift[k], want)
		}
	}
	prelim := byKey[keys["lvk-userguide/MS181101ab-preliminary.json"]]
	for k, want := range map[string]any{"ra": nil, "error_deg": nil, "trigger": "MS181101ab", "alert_type": "Preliminary",
		"test": true, "format": "json", "role": "", "topic": "igwn.gwalert", "partition": 0.0, "offset": 101.0,
		"event_time": "2018-11-01T22:22:46.654Z"} {
		if prelim[k] != want {
			t.Errorf("MS181101ab Preliminary %s = %#v, want %#v", k, prelim[k], want)
		}
	}
	sky, _ := prelim["skymap"].(map[string]any)
	if got := strings.Join(keysOf(sky), " "); got != "area50 area90 dec distmean diststd max_order npix ra" {
		t.Errorf("skymap keys: %s", got)
	}
	if sky["npix"] != 19200.0 || sky["max_order"] != 11.0 {
		t.Errorf("skymap: %v", sky)
	}
	retraction := byKey[keys["lvk-userguide/MS181101ab-retraction.json"]]
	if retraction["retraction"] != true || retraction["alert_type"] != "Retraction" || retraction["event_time"] != nil {
		t.Errorf("retraction: %v", retraction)
	}
	if _, ok := swift["retraction"]; ok {
		t.Errorf("retraction appears on an alert that is none: %v", swift)
	}

	// The plain table has trigger and type columns.
	_, out, _ = runCLI("events", "list", "--data-dir", dir)
	if !strings.Contains(out, "TRIGGER") || !strings.Contains(out, "TYPE") || !strings.Contains(out, "1201696") ||
		!strings.Contains(out, "BAT position") || !strings.Contains(out, "MS181101ab") {
		t.Errorf("plain list:\n%s", out)
	}
	// --search goes to the full-text index: a param value of the Swift packet.
	_, out, _ = runCLI("events", "list", "--json", "--search", "Burst_Inten", "--data-dir", dir)
	if objs := jsonLines(t, out); len(objs) != 1 || objs[0]["trigger"] != "1201696" {
		t.Errorf("--search Burst_Inten:\n%s", out)
	}
}

// groupFiles are real alerts of four triggers in the order they arrive.
var groupFiles = []string{
	"lvk-userguide/MS181101ab-earlywarning.json",
	"lvk-userguide/MS181101ab-preliminary.json",
	"lvk-gocart/MS230425k-preliminary.json", // 10:56
	"lvk-userguide/MS181101ab-ext-update.json",
	"lvk-gocart/MS230425k-retraction.json", // 11:02
	"public/lvk/S190518bb-2-Retraction.xml",
	"lvk-gocart/MS230425k-initial.json", // 12:19, after the retraction
	"lvk-userguide/MS181101ab-retraction.json",
	"public/lvk/S190518bb-1-Preliminary.xml",
	"lvk-gocart/S230528ay-preliminary.json", // a real superevent
}

func TestEventsGroupsJSON(t *testing.T) {
	dir, _ := archive(t, groupFiles...)
	groups := func(args ...string) []groupLine {
		st, out, errs := runCLI(append([]string{"events", "groups", "--json", "--data-dir", dir}, args...)...)
		if st != 0 {
			t.Fatalf("status %d: %s", st, errs)
		}
		var gs []groupLine
		for _, o := range jsonLines(t, out) {
			if got := strings.Join(keysOf(o), " "); got != "alerts retracted test trigger" {
				t.Errorf("keys %s", got)
			}
			b, _ := json.Marshal(o)
			var g groupLine
			json.Unmarshal(b, &g)
			gs = append(gs, g)
		}
		return gs
	}
	want := []groupLine{
		{"MS181101ab", []string{"Early warning", "Preliminary", "Update", "Retraction"}, true, true},
		{"MS230425k", []string{"Preliminary", "Initial", "Retraction"}, true, true},
		{"S190518bb", []string{"Preliminary", "Retraction"}, true, false},
		{"S230528ay", []string{"Preliminary"}, false, false},
	}
	if got := groups("--test"); !slices.EqualFunc(got, want, groupEqual) {
		t.Errorf("--test:\n got %+v\nwant %+v", got, want)
	}
	if got := groups(); !slices.EqualFunc(got, want[2:], groupEqual) {
		t.Errorf("without --test (mock superevents hidden):\n got %+v\nwant %+v", got, want[2:])
	}
	if got := groups("--test", "--since", "1h"); len(got) != 4 {
		t.Errorf("--since 1h: %+v", got)
	}
	if got := groups("--test", "--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)); len(got) != 0 {
		t.Errorf("--since in the future: %+v", got)
	}
	_, out, _ := runCLI("events", "groups", "--test", "--data-dir", dir)
	if !strings.Contains(out, "MS230425k") || !strings.Contains(out, "Preliminary → Initial → Retraction") {
		t.Errorf("plain groups:\n%s", out)
	}
}

// groupLine is one line of `events groups --json`.
type groupLine struct {
	Trigger   string   `json:"trigger"`
	Alerts    []string `json:"alerts"`
	Retracted bool     `json:"retracted"`
	Test      bool     `json:"test"`
}

func groupEqual(a, b groupLine) bool {
	return a.Trigger == b.Trigger && slices.Equal(a.Alerts, b.Alerts) && a.Retracted == b.Retracted && a.Test == b.Test
}

func TestEventsShowGroup(t *testing.T) {
	dir, keys := archive(t, "lvk-gocart/MS230425k-preliminary.json", "lvk-gocart/MS230425k-retraction.json",
		"lvk-gocart/MS230425k-initial.json", "lvk-userguide/MS181101ab-preliminary_displayexample.json",
		"public/swift/BAT_GRB_Pos_1201696-785.xml")
	st, out, errs := runCLI("events", "show", keys["lvk-gocart/MS230425k-retraction.json"], "--group", "--data-dir", dir)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	lines := strings.Split(out, "\n")
	if lines[0] != "Trigger MS230425k (test; retracted)" {
		t.Errorf("head %q", lines[0])
	}
	// In sequence, the Initial received after the Retraction before it; the
	// alert shown is marked.
	for i, want := range []string{"1.  Preliminary", "2.  Initial", "3.  Retraction ✗"} {
		l := lines[1+i]
		if !strings.Contains(l, want) || !strings.Contains(l, "received 20") {
			t.Errorf("timeline line %d: %q, want %q", i+1, l, want)
		}
	}
	if !strings.HasPrefix(lines[3], "*") || strings.HasPrefix(lines[1], "*") || !strings.Contains(lines[1], keys["lvk-gocart/MS230425k-preliminary.json"]) {
		t.Errorf("marks: %q %q", lines[1], lines[3])
	}
	for _, want := range []string{"Key  ", keys["lvk-gocart/MS230425k-retraction.json"], "Format  json", "Alert type  Retraction",
		"Retraction  yes", "Test  yes", "Kafka  igwn.gwalert[0]@101"} {
		if !strings.Contains(collapse(out), want) {
			t.Errorf("summary lacks %q", want)
		}
	}

	// A JSON alert's summary: event time, FAR, sky map numbers.
	_, out, _ = runCLI("events", "show", keys["lvk-gocart/MS230425k-initial.json"], "--data-dir", dir)
	for _, want := range []string{"Trigger  MS230425k", "Alert type  Initial", "Event time  2023-04-25 10:51:18.658Z",
		"FAR  5.18e-16 Hz", "Sky map  most probable", "deepest order"} {
		if !strings.Contains(collapse(out), want) {
			t.Errorf("Initial's summary lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runCLI("events", "show", keys["lvk-userguide/MS181101ab-preliminary_displayexample.json"], "--data-dir", dir)
	if !strings.Contains(out, "sky map unreadable: ") || strings.Contains(out, "Sky map  ") {
		t.Errorf("display copy:\n%s", out)
	}
	// A VOEvent: position and error, its params; --group without other alerts.
	_, out, _ = runCLI("events", "show", "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785", "--group", "--data-dir", dir)
	for _, want := range []string{"Trigger 1201696", "* 1.  BAT position", "RA 95.7721°, Dec -48.3592° (error radius 0.05°)",
		"Event time  2023-12-10 21:29:04.490Z", "Params  Packet_Type = 61"} {
		if !strings.Contains(collapse(out), want) {
			t.Errorf("Swift lacks %q:\n%s", want, out)
		}
	}
}

// collapse turns runs of spaces into two, as tabwriter pads columns.
func collapse(s string) string {
	for strings.Contains(s, "   ") {
		s = strings.ReplaceAll(s, "   ", "  ")
	}
	return s
}
