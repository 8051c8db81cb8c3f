package alert_test

import (
	"slices"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
)

func TestStateRetractionBeforeInitial(t *testing.T) {
	s := jsonSummaries(t,
		"lvk-gocart/MS230425k-preliminary.json",
		"lvk-gocart/MS230425k-retraction.json",
		"lvk-gocart/MS230425k-initial.json")
	var st alert.State
	at := time.Date(2023, 4, 25, 10, 56, 0, 0, time.UTC)
	for i, sm := range s {
		st.Add(int64(i+1), at.Add(time.Duration(i)*time.Minute), sm, alert.Stream(sm, "igwn.gwalert", "kafka igwn.gwalert"))
		if want := i >= 1; st.Retracted != want {
			t.Errorf("after alert %d: retracted %v, want %v", i+1, st.Retracted, want)
		}
	}
	if st.Trigger != "MS230425k" || !st.Test || st.LatestID != 3 || st.Mission != "LVK" {
		t.Errorf("state %+v", st)
	}
	if got := st.Alerts(); !slices.Equal(got, []string{"Preliminary", "Initial", "Retraction"}) {
		t.Errorf("alerts %v", got)
	}
	if st.GW == nil || st.GW.Classification["BNS"] != 1 || st.GW.HasNS == nil || *st.GW.HasNS != 1 ||
		st.GW.HasMassGap == nil || *st.GW.HasMassGap != 0 || st.GW.Significant == nil || !*st.GW.Significant {
		t.Errorf("GW %+v", st.GW)
	}
	if st.FAR != 5.176954877338635e-16 {
		t.Errorf("FAR %g", st.FAR)
	}
}

// A retraction counts only from a stream that sent the trigger's alerts.
func TestStateRetractionFromAnotherStreamIsACitation(t *testing.T) {
	s := voeventSummaries(t, "public/lvk/S190518bb-1-Preliminary.xml", "public/lvk/S190518bb-2-Retraction.xml")
	var own alert.State
	for i, sm := range s {
		own.Add(int64(i+1), time.Unix(int64(i), 0), sm, alert.Stream(sm, "", "peer"))
	}
	if !own.Retracted {
		t.Errorf("the LVK's own retraction did not retract: %+v", own)
	}
	var other alert.State
	other.Add(1, time.Unix(0, 0), s[0], alert.Stream(s[0], "", "peer"))
	foreign := s[1]
	foreign.Key = "ivo://someone.else/stream#retraction-1"
	other.Add(2, time.Unix(1, 0), foreign, alert.Stream(foreign, "", "peer"))
	if other.Retracted {
		t.Errorf("a retraction from ivo://someone.else retracted the trigger")
	}
	if got := alert.Stream(s[0], "", ""); got != "ivo://gwnet/lvc" {
		t.Errorf("stream %q", got)
	}
	// A lone retraction retracts.
	var lone alert.State
	lone.Add(1, time.Unix(0, 0), foreign, "x")
	if !lone.Retracted {
		t.Error("a lone retraction did not retract")
	}
}

// An alert with no trigger param of its own is keyed by the IVORN it
// cites: its retraction counts only from the cited IVORN's stream, though
// the cited alert is not in the trigger.
func TestStateRetractionOfAnIVORNKeyedTrigger(t *testing.T) {
	const cited = "ivo://Own.Team/alerts#42"
	retraction := func(key string) alert.Summary {
		return alert.Summary{Key: key, Trigger: cited, AlertType: "Retraction", Retraction: true}
	}
	var mine alert.State
	r := retraction("ivo://own.team/alerts#42-retraction")
	mine.Add(1, time.Unix(0, 0), r, alert.Stream(r, "", "peer"))
	if !mine.Retracted || !mine.RetractedAt(1) {
		t.Errorf("the citing stream's own retraction did not retract: %+v", mine)
	}
	var theirs alert.State
	r = retraction("ivo://someone.else/notes#7")
	theirs.Add(1, time.Unix(0, 0), r, alert.Stream(r, "", "peer"))
	if theirs.Retracted || theirs.RetractedAt(1) {
		t.Errorf("another author's retraction of %s retracted it: %+v", cited, theirs)
	}
}

func TestStateBestPosition(t *testing.T) {
	var st alert.State
	st.Add(1, time.Unix(0, 0), alert.Summary{Trigger: "1", HasPosition: true, RA: 10, Dec: 5, ErrorDeg: 3}, "a")
	st.Add(2, time.Unix(1, 0), alert.Summary{Trigger: "1", HasPosition: true, RA: 11, Dec: 6, ErrorDeg: 0.1}, "a")
	st.Add(3, time.Unix(2, 0), alert.Summary{Trigger: "1", HasPosition: true, RA: 12, Dec: 7, ErrorDeg: 8}, "a")
	if st.RA != 11 || st.Dec != 6 || st.ErrorDeg != 0.1 {
		t.Errorf("best position %g %g ±%g, want the smallest circle", st.RA, st.Dec, st.ErrorDeg)
	}
	st.Add(4, time.Unix(3, 0), alert.Summary{Trigger: "1", Skymap: &alert.SkymapSummary{RA: 100, Dec: -20, Area90: 30}}, "a")
	if st.RA != 100 || st.Dec != -20 || st.Skymap.Area90 != 30 {
		t.Errorf("a sky map did not give the position: %+v", st)
	}
}

// RetractedAt tells what a notification about each alert must say, whatever
// came later.
func TestStateRetractedAt(t *testing.T) {
	s := jsonSummaries(t,
		"lvk-gocart/MS230425k-preliminary.json",
		"lvk-gocart/MS230425k-retraction.json",
		"lvk-gocart/MS230425k-initial.json")
	var st alert.State
	for i, sm := range s {
		st.Add(int64(10*(i+1)), time.Unix(int64(i), 0), sm, "igwn.gwalert")
	}
	for id, want := range map[int64]bool{10: false, 20: true, 30: true, 99: true} {
		if got := st.RetractedAt(id); got != want {
			t.Errorf("RetractedAt(%d) = %v, want %v", id, got, want)
		}
	}
}

// A trigger key that thousands of alerts share keeps a bounded state.
func TestStateBounded(t *testing.T) {
	var st alert.State
	for i := range alert.MaxSteps + 5 {
		st.Add(int64(i+1), time.Unix(int64(i), 0), alert.Summary{Trigger: "1", AlertType: "Update"}, "a")
	}
	st.Add(9999, time.Unix(9999, 0), alert.Summary{Trigger: "1", AlertType: "Retraction"}, "a")
	if len(st.Steps) != alert.MaxSteps || st.More != 6 || !st.Retracted || st.LatestID != 9999 || len(st.Streams) != 1 {
		t.Errorf("steps %d, more %d, retracted %v, latest %d, streams %v", len(st.Steps), st.More, st.Retracted, st.LatestID, st.Streams)
	}
}
