package alert_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/voevent"
)

// jsonSummaries summarises LVK alerts from testdata/notices, in the order given.
func jsonSummaries(t *testing.T, files ...string) []alert.Summary {
	t.Helper()
	var out []alert.Summary
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join("../../testdata/notices", f))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, notice.Summarize("igwn.gwalert", raw))
	}
	return out
}

// voeventSummaries summarises VOEvents from testdata/voevents, in the order given.
func voeventSummaries(t *testing.T, files ...string) []alert.Summary {
	t.Helper()
	var out []alert.Summary
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join("../../testdata/voevents", f))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := voevent.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, notice.SummarizeVOEvent(ev))
	}
	return out
}

// checkGroup compares a timeline with the expected one.
func checkGroup(t *testing.T, g alert.Group, trigger string, alerts []string, retracted, test bool) {
	t.Helper()
	if g.Trigger != trigger || !slices.Equal(g.Alerts, alerts) || g.Retracted != retracted || g.Test != test {
		t.Errorf("got %+v, want {%s %v retracted=%v test=%v}", g, trigger, alerts, retracted, test)
	}
}

func TestTimelineMS181101ab(t *testing.T) {
	// Received in this order; the retraction came last, the early warning first.
	s := jsonSummaries(t,
		"lvk-userguide/MS181101ab-earlywarning.json",
		"lvk-userguide/MS181101ab-preliminary.json",
		"lvk-userguide/MS181101ab-ext-update.json",
		"lvk-userguide/MS181101ab-retraction.json")
	checkGroup(t, alert.Timeline(s), "MS181101ab",
		[]string{"Early warning", "Preliminary", "Update", "Retraction"}, true, true)
	// Shuffled arrival gives the same sequence.
	s[0], s[3] = s[3], s[0]
	s[1], s[2] = s[2], s[1]
	checkGroup(t, alert.Timeline(s), "MS181101ab",
		[]string{"Early warning", "Preliminary", "Update", "Retraction"}, true, true)
}

func TestTimelineMS230425kRetractionBeforeInitial(t *testing.T) {
	s := jsonSummaries(t,
		"lvk-gocart/MS230425k-preliminary.json", // 10:56
		"lvk-gocart/MS230425k-retraction.json",  // 11:02
		"lvk-gocart/MS230425k-initial.json")     // 12:19
	checkGroup(t, alert.Timeline(s), "MS230425k", []string{"Preliminary", "Initial", "Retraction"}, true, true)
}

func TestTimelineRealSupereventNotTest(t *testing.T) {
	s := voeventSummaries(t, "public/lvk/S190518bb-2-Retraction.xml", "public/lvk/S190518bb-1-Preliminary.xml")
	checkGroup(t, alert.Timeline(s), "S190518bb", []string{"Preliminary", "Retraction"}, true, false)
	s = voeventSummaries(t, "public/lvk/S190426c-2-Initial.xml", "public/lvk/S190426c-1-Preliminary.xml")
	checkGroup(t, alert.Timeline(s), "S190426c", []string{"Preliminary", "Initial"}, false, false)
}

func TestTimelineGBM(t *testing.T) {
	// VOEvents: the flight position arrives before the alert.
	s := voeventSummaries(t,
		"public/fermi/GBM_Flt_Pos_2023-12-10T13_15_50.51_723906955_120-802.xml",
		"public/fermi/GBM_Alert_2023-12-10T13_15_50.51_723906955_1-794.xml")
	checkGroup(t, alert.Timeline(s), "723906955", []string{"Alert", "Flight position"}, false, false)

	// JSON notices of one GBM trigger in a scrambled order.
	var js []alert.Summary
	for _, f := range []string{"final", "flight3", "alert", "ground1", "flight1"} {
		raw, err := os.ReadFile("../../testdata/notices/gcn-schema/fermi.gbm.trigger." + f + ".example.json")
		if err != nil {
			t.Fatal(err)
		}
		js = append(js, notice.Summarize("gcn.notices.fermi.gbm.trigger", raw))
	}
	checkGroup(t, alert.Timeline(js), "745121685|bn240812094",
		[]string{"Alert", "Flight position", "Flight position", "Ground position", "Final position"}, false, false)
}

func TestTimelineSwift(t *testing.T) {
	s := voeventSummaries(t,
		"public/swift/XRT_Pos_1201696-838.xml",
		"public/swift/BAT_Lightcurve_1201696-875.xml",
		"public/swift/BAT_GRB_Pos_1201696-785.xml")
	// The lightcurve has no place in the sequence: it stays after the XRT
	// position it arrived after.
	checkGroup(t, alert.Timeline(s), "1201696", []string{"BAT position", "XRT position", "BAT lightcurve"}, false, false)
}

func TestTimelines(t *testing.T) {
	s := jsonSummaries(t,
		"lvk-gocart/MS230425k-preliminary.json",
		"lvk-gocart/MS230425q-retraction.json",
		"lvk-gocart/MS230425k-initial.json")
	s = append(s, alert.Summary{AlertType: "Initial"}) // no trigger: in no group
	gs := alert.Timelines(s)
	if len(gs) != 2 {
		t.Fatalf("%d groups: %+v", len(gs), gs)
	}
	checkGroup(t, gs[0], "MS230425k", []string{"Preliminary", "Initial"}, false, true)
	checkGroup(t, gs[1], "MS230425q", []string{"Retraction"}, true, true)
	if g := alert.Timeline(nil); g.Trigger != "" || len(g.Alerts) != 0 {
		t.Errorf("empty timeline: %+v", g)
	}
	g := alert.Timeline([]alert.Summary{{Trigger: "X"}})
	checkGroup(t, g, "X", []string{alert.UnknownAlertType}, false, false)
}

func TestSequenceIndices(t *testing.T) {
	s := jsonSummaries(t,
		"lvk-gocart/MS230425k-preliminary.json", // 0
		"lvk-gocart/MS230425k-retraction.json",  // 1
		"lvk-gocart/MS230425k-initial.json")     // 2
	if got := alert.Sequence(s); !slices.Equal(got, []int{0, 2, 1}) {
		t.Errorf("Sequence = %v, want [0 2 1]", got)
	}
}
