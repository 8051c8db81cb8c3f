package alert

import (
	"slices"
	"time"
)

// Step is one alert of a trigger as the trigger's state keeps it.
type Step struct {
	// ID is the alert's archive id.
	ID int64 `json:"id"`
	// Type is its alert type ("" for none).
	Type string `json:"type,omitempty"`
	// Retraction is true when the alert withdraws the trigger.
	Retraction bool `json:"retraction,omitempty"`
	// Stream is who sent it (see Stream).
	Stream string `json:"stream,omitempty"`
}

// State is a trigger's state across its alerts (design §10): what the
// window and the command line show of it, and what notifications follow.
// Zero values are not known.
type State struct {
	// Trigger is the trigger key.
	Trigger string
	// Mission is the mission of its latest alert that names one.
	Mission string
	// FirstReceived and LastReceived bound when its alerts arrived.
	FirstReceived, LastReceived time.Time
	// Steps are its alerts in the order received.
	Steps []Step
	// Retracted is true once a retraction from one of the trigger's own
	// streams (or a retraction alone) has arrived; it stays true.
	Retracted bool
	// Test is true when any of its alerts is a test or mock.
	Test bool
	// LatestID is the archive id of the alert received last.
	LatestID int64
	// GW is the latest LVK classification and properties.
	GW *GW
	// FAR is the latest false-alarm rate (Hz).
	FAR float64
	// Skymap is the latest sky map's summary (distance, areas, peak).
	Skymap *SkymapSummary
	// HasPosition, RA, Dec and ErrorDeg are the best position: the latest
	// sky map's most probable point, else the smallest error circle.
	HasPosition       bool
	RA, Dec, ErrorDeg float64
}

// Add takes one more alert of the trigger into its state: its archive id,
// when it was received, its summary and its stream (Stream). Alerts are
// added in the order received.
func (st *State) Add(id int64, received time.Time, s Summary, stream string) {
	if st.Trigger == "" {
		st.Trigger = s.Trigger
	}
	if st.FirstReceived.IsZero() || received.Before(st.FirstReceived) {
		st.FirstReceived = received
	}
	if received.After(st.LastReceived) {
		st.LastReceived = received
	}
	if id >= st.LatestID {
		st.LatestID = id
	}
	if s.Mission != "" {
		st.Mission = s.Mission
	}
	st.Test = st.Test || s.Test || s.Role == "test"
	st.Steps = append(st.Steps, Step{ID: id, Type: s.AlertType, Retraction: isRetraction(s), Stream: stream})
	st.Retracted = retracted(st.Steps)
	if !s.GW.Empty() {
		st.GW = s.GW
	}
	if s.FAR > 0 {
		st.FAR = s.FAR
	}
	switch {
	case s.Skymap != nil:
		st.Skymap = s.Skymap
		st.HasPosition, st.RA, st.Dec, st.ErrorDeg = true, s.Skymap.RA, s.Skymap.Dec, 0
	case s.HasPosition && st.Skymap == nil:
		if !st.HasPosition || st.ErrorDeg == 0 || s.ErrorDeg > 0 && s.ErrorDeg <= st.ErrorDeg {
			st.HasPosition, st.RA, st.Dec, st.ErrorDeg = true, s.RA, s.Dec, s.ErrorDeg
		}
	}
}

// retracted reports whether steps hold a retraction that counts: from a
// stream that sent one of the other alerts, or with no other alert at all.
func retracted(steps []Step) bool {
	var own []string
	for _, s := range steps {
		if !s.Retraction {
			own = append(own, s.Stream)
		}
	}
	for _, s := range steps {
		if s.Retraction && (len(own) == 0 || slices.Contains(own, s.Stream)) {
			return true
		}
	}
	return false
}

// Alerts are the trigger's alert types in their sequence order (see Sequence).
func (st State) Alerts() []string {
	sums := make([]Summary, len(st.Steps))
	for i, s := range st.Steps {
		sums[i] = Summary{AlertType: s.Type, Retraction: s.Retraction}
	}
	out := make([]string, 0, len(sums))
	for _, i := range Sequence(sums) {
		out = append(out, typeName(sums[i]))
	}
	return out
}
