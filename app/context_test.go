package app

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// archiveSample archives one sample alert from testdata (a VOEvent from a
// peer, or a JSON notice from topic) and returns its detail.
func archiveSample(t *testing.T, c *Core, path, topic string) EventDetail {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	var o broker.Outcome
	if topic == "" {
		o = c.b.Process(context.Background(), raw, "127.0.0.1:5000")
	} else {
		o = c.b.ProcessJSON(context.Background(), raw, broker.Origin{Source: "kafka: test", Kafka: seen.KafkaRef{Topic: topic}})
	}
	if !o.Accepted {
		t.Fatalf("%s not accepted: %s %v", path, o.Reason, o.StoreErr)
	}
	d, err := c.Archive().Detail(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// gcnParam reads a number from a GCN VOEvent's params (its Obs_Support_Info
// group gives the Sun, Moon and Galactic values GCN computed).
func gcnParam(t *testing.T, ps []voevent.Param, name string) float64 {
	t.Helper()
	for _, p := range ps {
		if p.Name == name {
			v, err := strconv.ParseFloat(p.Value, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no param %s", name)
	return 0
}

func TestAlertContextOfRealSamples(t *testing.T) {
	c, err := Open(context.Background(), Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	cases := []struct {
		path, topic string
		containment string
		// gcn: the sample carries GCN's own Sun, Moon and Galactic values,
		// computed when the packet was written (seconds to minutes after the event).
		gcn bool
	}{
		{"voevents/public/swift/BAT_GRB_Pos_1201696-785.xml", "", "90 % containment", true},
		{"voevents/public/swift/XRT_Pos_1201696-838.xml", "", "90 % containment", true},
		{"voevents/public/fermi/GBM_Flt_Pos_2023-12-10T13_15_50.51_723906955_120-802.xml", "", "68 % containment (1σ, statistical only)", true},
		{"voevents/public/fermi/LAT_Offline_Pos_2014-12-07T19_11_21.10_439672293-0-226.xml", "", "containment unknown", true},
		{"voevents/public/icecube/ICECUBE_GOLD_Event2023-05-06T15_53_45.93_24_137910_029871391_0.xml", "", "90 % containment", false},
		{"notices/gcn-schema/swift.bat.guano.loc_arc_min.example.json", "gcn.notices.swift.bat.guano", "90 % containment", false},
		{"notices/gcn-schema/fermi.gbm.trigger.final.example.json", "gcn.notices.fermi.gbm.trigger", "68 % containment", false},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			d := archiveSample(t, c, tc.path, tc.topic)
			ac := d.Context()
			if !ac.HasPosition {
				t.Fatalf("no position: %+v", d.Row)
			}
			if got := ac.ContainmentText(); got != tc.containment {
				t.Errorf("containment %q, want %q", got, tc.containment)
			}
			if ContextOf(d.Row, d.Raw) != ac {
				t.Errorf("ContextOf and EventDetail.Context differ")
			}
			lines := strings.Join(ac.Lines(), "\n")
			for _, w := range []string{"Galactic: l ", "At the event time: Sun ", "% lit)"} {
				if !strings.Contains(lines, w) {
					t.Errorf("lines %q lack %q", lines, w)
				}
			}
			if !tc.gcn {
				return
			}
			if !ac.At.Equal(d.Row.EventTime) {
				t.Errorf("taken at %v, event time %v", ac.At, d.Row.EventTime)
			}
			// GCN computed its values when it wrote the packet (Who/Date), at
			// times up to 11 hours after the event: compare at that time.
			written, err := time.Parse("2006-01-02T15:04:05", d.Fields.Date)
			if err != nil {
				t.Fatal(err)
			}
			sun, moon, lit := sunMoon(ac.RA, ac.Dec, written)
			ps := d.Fields.Params
			near := func(what string, got, want, tol float64) {
				t.Logf("%s: %.3f, GCN %.3f (off by %.3f)", what, got, want, math.Abs(got-want))
				if math.Abs(got-want) > tol {
					t.Errorf("%s %.3f, GCN says %.3f", what, got, want)
				}
			}
			near("l", ac.L, gcnParam(t, ps, "Galactic_Long"), 0.01)
			near("b", ac.B, gcnParam(t, ps, "Galactic_Lat"), 0.01)
			near("Sun", sun, gcnParam(t, ps, "Sun_Distance"), 0.02)
			near("Moon", moon, gcnParam(t, ps, "MOON_Distance"), 0.1)
			near("Moon lit %", 100*lit, gcnParam(t, ps, "Moon_Illum"), 0.3)
		})
	}
}

func TestAlertContextWords(t *testing.T) {
	c := AlertContext{HasPosition: true, ErrorDeg: 0.05, Containment: 0.9, L: 123.44, B: -5.64,
		SunDeg: 112.2, MoonDeg: 45.4, MoonLit: 0.62}
	c.At = c.At.AddDate(2020, 0, 0)
	if got := c.GalacticText(); got != "l 123.4° b −5.6°" {
		t.Errorf("galactic %q", got)
	}
	if got := c.SunMoonText(); got != "Sun 112°, Moon 45° (62 % lit)" {
		t.Errorf("sun moon %q", got)
	}
	if got := c.ContainmentText(); got != "90 % containment" {
		t.Errorf("containment %q", got)
	}
	if (AlertContext{}).Lines() != nil {
		t.Error("lines without a position")
	}
	// A heartbeat has no position: no context, no panic.
	if got := ContextOf(EventRow{Format: "json"}, []byte(`{"alert_datetime":"2024-01-01T00:00:00Z"}`)); got.HasPosition {
		t.Errorf("heartbeat context %+v", got)
	}
}
