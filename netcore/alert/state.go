package alert

import (
	"slices"
	"strings"
	"time"
)

// MaxSteps bounds how many alerts a State keeps as Steps: a trigger key
// that many alerts share (an id some source reuses) keeps a small state.
const MaxSteps = 1000

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
	Trigger string `json:"trigger"`
	// Mission is the mission of its latest alert that names one.
	Mission string `json:"mission,omitempty"`
	// FirstReceived and LastReceived bound when its alerts arrived.
	FirstReceived time.Time `json:"first_received"`
	LastReceived  time.Time `json:"last_received"`
	// Steps are its alerts in the order received.
	Steps []Step `json:"steps"`
	// More counts the alerts received after the first MaxSteps, which
	// Steps does not hold.
	More int `json:"more,omitempty"`
	// Streams are the distinct streams of its alerts other than
	// retractions, RetractionStreams those of its retractions (see Stream).
	Streams           []string `json:"streams,omitempty"`
	RetractionStreams []string `json:"retraction_streams,omitempty"`
	// Retracted is true once a retraction from one of the streams that
	// sent the trigger's other alerts has arrived; a retraction before any
	// other alert counts until alerts from other streams only show that it
	// was someone else's.
	Retracted bool `json:"retracted,omitempty"`
	// Test is true when any of its alerts is a test or mock.
	Test bool `json:"test,omitempty"`
	// LatestID is the archive id of the alert received last.
	LatestID int64 `json:"latest_id"`
	// GW is the latest LVK classification and properties.
	GW *GW `json:"gw,omitempty"`
	// FAR is the latest false-alarm rate (Hz).
	FAR float64 `json:"far,omitempty"`
	// Skymap is the latest sky map's summary (distance, areas, peak).
	Skymap *SkymapSummary `json:"skymap,omitempty"`
	// HasPosition, RA, Dec and ErrorDeg are the best position: the latest
	// sky map's most probable point, else the smallest error circle.
	HasPosition bool    `json:"has_position,omitempty"`
	RA          float64 `json:"ra,omitempty"`
	Dec         float64 `json:"dec,omitempty"`
	ErrorDeg    float64 `json:"error_deg,omitempty"`
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
	step := Step{ID: id, Type: s.AlertType, Retraction: isRetraction(s), Stream: stream}
	if len(st.Steps) < MaxSteps {
		st.Steps = append(st.Steps, step)
	} else {
		st.More++
	}
	if step.Retraction {
		st.RetractionStreams = addOnce(st.RetractionStreams, stream)
	} else {
		st.Streams = addOnce(st.Streams, stream)
	}
	st.Retracted = counts(st.Trigger, st.Streams, st.RetractionStreams)
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

// counts reports whether a retraction from one of retractions counts for
// a trigger whose other alerts came from own: from one of its own
// streams, or with no other alert at all. A trigger keyed by the IVORN its
// alerts cite (an alert with no trigger param of its own; notice.Trigger)
// belongs to that IVORN's stream too, though the cited alert is not one
// of its alerts: only that stream can retract it, anyone else's
// retraction of it is a citation.
func counts(trigger string, own, retractions []string) bool {
	if s := ivornStream(trigger); s != "" && !slices.Contains(own, s) {
		own = append(slices.Clip(own), s)
	}
	for _, r := range retractions {
		if len(own) == 0 || slices.Contains(own, r) {
			return true
		}
	}
	return false
}

// ivornStream is the stream (see Stream) of a trigger that is an IVORN,
// "" for any other trigger key.
func ivornStream(trigger string) string {
	i := strings.IndexByte(trigger, '#')
	if i <= 0 || !strings.HasPrefix(strings.ToLower(trigger), "ivo://") {
		return ""
	}
	return strings.ToLower(trigger[:i])
}

// addOnce adds s to set unless it is there.
func addOnce(set []string, s string) []string {
	if slices.Contains(set, s) {
		return set
	}
	return append(set, s)
}

// RetractedAt reports whether the trigger was retracted once the alert
// with archive id id had arrived (steps up to it, in the order received):
// what a notification about that alert must say, whatever came later.
func (st State) RetractedAt(id int64) bool {
	var own, retractions []string
	for _, s := range st.Steps {
		if s.Retraction {
			retractions = addOnce(retractions, s.Stream)
		} else {
			own = addOnce(own, s.Stream)
		}
		if s.ID == id {
			return counts(st.Trigger, own, retractions)
		}
	}
	return st.Retracted
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
