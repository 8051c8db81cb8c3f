package app

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/skymap"
)

const notices = "../testdata/notices/"

func TestNotifyRuleMatch(t *testing.T) {
	perYear := 1 / yearSeconds
	gw := alert.Summary{Mission: "LVK", AlertType: "Preliminary", FAR: perYear / 100, // 1 per 100 years
		Skymap: &alert.SkymapSummary{RA: 240, Dec: 20}}
	grb := alert.Summary{Mission: "Fermi GBM", AlertType: "Flight", HasPosition: true, RA: 10, Dec: -5, ErrorDeg: 3}
	mock := gw
	mock.Test = true
	m, err := readMap(notices + "lvk-userguide/MS181101ab-preliminary.json")
	if err != nil {
		t.Fatal(err)
	}
	peakRA, peakDec := m.MostProbable()
	for _, c := range []struct {
		name   string
		rule   NotifyRule
		sm     alert.Summary
		source string
		topic  string
		m      *skymap.Map
		want   bool
	}{
		{"empty rule matches", NotifyRule{}, grb, "", "", nil, true},
		{"test hidden", NotifyRule{}, mock, "", "", nil, false},
		{"test included", NotifyRule{IncludeTest: true}, mock, "", "", nil, true},
		{"disabled", NotifyRule{Disabled: true}, grb, "", "", nil, false},
		{"topic substring", NotifyRule{Source: "GWALERT"}, gw, "kafka gcn", "igwn.gwalert", nil, true},
		{"source substring", NotifyRule{Source: "127.0.0"}, grb, "127.0.0.1", "", nil, true},
		{"source mismatch", NotifyRule{Source: "gwalert"}, grb, "127.0.0.1", "", nil, false},
		{"type by alert type", NotifyRule{Type: "prelim"}, gw, "", "", nil, true},
		{"type by mission", NotifyRule{Type: "gbm"}, grb, "", "", nil, true},
		{"type mismatch", NotifyRule{Type: "retraction"}, gw, "", "", nil, false},
		{"FAR 1/100 y below 1 per 10 y", NotifyRule{FARYears: 10}, gw, "", "", nil, true},
		{"FAR 1/100 y not below 1 per 1000 y", NotifyRule{FARYears: 1000}, gw, "", "", nil, false},
		{"no FAR never passes a FAR rule", NotifyRule{FARYears: 1}, grb, "", "", nil, false},
		{"cone holds the position", NotifyRule{Cone: &Cone{RA: 12, Dec: -4, Radius: 3}}, grb, "", "", nil, true},
		{"cone misses the position", NotifyRule{Cone: &Cone{RA: 20, Dec: -5, Radius: 3}}, grb, "", "", nil, false},
		{"cone across RA 0", NotifyRule{Cone: &Cone{RA: 359, Dec: -5, Radius: 12}}, grb, "", "", nil, true},
		{"cone holds the map's peak", NotifyRule{Cone: &Cone{RA: 241, Dec: 21, Radius: 2}}, gw, "", "", nil, true},
		{"cone misses the map's peak", NotifyRule{Cone: &Cone{RA: 60, Dec: 21, Radius: 2}}, gw, "", "", nil, false},
		{"map probability in the cone high", NotifyRule{Cone: &Cone{RA: peakRA, Dec: peakDec, Radius: 40, MinProb: 0.5}}, gw, "", "", m, true},
		{"map probability in the cone low", NotifyRule{Cone: &Cone{RA: peakRA, Dec: peakDec, Radius: 0.5, MinProb: 0.5}}, gw, "", "", m, false},
	} {
		if got := c.rule.Match(c.sm, c.source, c.topic, c.m); got != c.want {
			t.Errorf("%s: match %v, want %v", c.name, got, c.want)
		}
	}
}

func readMap(path string) (*skymap.Map, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fits, err := skymap.FromAlertJSON(raw)
	if err != nil {
		return nil, err
	}
	return skymap.Read(fits)
}

func TestQuietHours(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, time.UTC) }
	night := NotifyConfig{QuietFrom: "22:00", QuietTo: "07:00"}
	day := NotifyConfig{QuietFrom: "12:30", QuietTo: "13:00"}
	for _, c := range []struct {
		cfg  NotifyConfig
		t    time.Time
		want bool
	}{
		{night, at(23, 0), true}, {night, at(3, 0), true}, {night, at(7, 0), false}, {night, at(21, 59), false},
		{day, at(12, 30), true}, {day, at(12, 59), true}, {day, at(13, 0), false},
		{NotifyConfig{}, at(3, 0), false},
	} {
		if got := c.cfg.Quiet(c.t); got != c.want {
			t.Errorf("%s–%s at %s: quiet %v, want %v", c.cfg.QuietFrom, c.cfg.QuietTo, c.t.Format("15:04"), got, c.want)
		}
	}
}

func TestNotifyRulesSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg := NotifyConfig{QuietFrom: "22:00", QuietTo: "06:30", Rules: []NotifyRule{
		{Name: "GW", Source: "gwalert", FARYears: 10, Sound: true},
		{Name: "M31", Cone: &Cone{RA: 10.68, Dec: 41.27, Radius: 5, MinProb: 0.1}},
	}}
	if err := c.Settings().SaveRules(cfg); err != nil {
		t.Fatal(err)
	}
	if err := c.Settings().SaveRules(NotifyConfig{Rules: []NotifyRule{{Name: ""}}}); err == nil {
		t.Fatal("a rule without a name was saved")
	}
	c.Close(context.Background())
	st, err := os.Stat(filepath.Join(dir, notifyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("rules file: %v, %v (want mode 0600)", st, err)
	}
	c, err = Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	got, err := c.Settings().Rules()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rules) != 2 || !reflect.DeepEqual(got.Rules[0], cfg.Rules[0]) || *got.Rules[1].Cone != *cfg.Rules[1].Cone || got.QuietTo != "06:30" {
		t.Fatalf("after a restart: %+v", got)
	}
}

func TestNotifierFiresForNewMatchingAlerts(t *testing.T) {
	c, err := Open(context.Background(), Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	read := func(name string) []byte {
		b, err := os.ReadFile(notices + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Archived before the notifier starts: never notified.
	deliverKafka(t, c, read("gcn-schema/fermi.gbm.trigger.flight1.example.json"), "gcn.notices.fermi.gbm")
	if err := c.Settings().SaveRules(NotifyConfig{Rules: []NotifyRule{{Name: "any GW", Type: "LVK"}, {Name: "GBM", Type: "GBM"}}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []Notification
	n, err := c.StartNotifier(func(x Notification) {
		mu.Lock()
		got = append(got, x)
		mu.Unlock()
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	// A mock superevent (a test) does not match; a GBM notice does.
	deliverKafka(t, c, read("lvk-userguide/MS181101ab-preliminary.json"), "igwn.gwalert")
	deliverKafka(t, c, read("gcn-schema/fermi.gbm.trigger.ground1.example.json"), "gcn.notices.fermi.gbm")
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		k := len(got)
		mu.Unlock()
		if k >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // a wrong second notification would show by now
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Rule.Name != "GBM" || got[0].Event.Test {
		t.Fatalf("notifications %+v; want one, for the GBM ground notice", got)
	}
}

func TestAlertWAV(t *testing.T) {
	b := AlertWAV()
	if string(b[:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || len(b) < 44+2*22050*0.3 {
		t.Fatalf("not a WAV of the expected length: %q… (%d bytes)", b[:16], len(b))
	}
}
