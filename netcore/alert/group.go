package alert

import "sort"

// Group is one trigger's alerts as a timeline, for the window's
// "Preliminary → Initial → Update" line.
type Group struct {
	// Trigger is the trigger key the alerts share.
	Trigger string
	// Alerts are the alert types in their sequence order.
	Alerts []string
	// Retracted is true when any alert of the trigger is a retraction.
	Retracted bool
	// Test is true when any alert of the trigger is a test or mock.
	Test bool
}

// UnknownAlertType names an alert that has no type in a timeline.
const UnknownAlertType = "Notice"

// sequenceRanks places the alert types of known sequences: LVK (Early
// warning → Preliminary → Initial → Update), Fermi GBM (Alert → Flight →
// Ground → Final position), Swift (BAT → XRT → UVOT position), INTEGRAL
// (Wakeup → Refined → Offline position). A retraction always comes last.
var sequenceRanks = map[string]int{
	"Early warning": 0, "Preliminary": 1, "Initial": 2, "Update": 3, "Subsequent": 3,
	"Alert": 0, "Flight position": 1, "Ground position": 2, "Final position": 3,
	"BAT alert": 0, "BAT position": 1, "XRT position": 2, "UVOT position": 3,
	"Wakeup position": 0, "Refined position": 1, "Offline position": 2,
}

// retractionRank puts retractions after everything else.
const retractionRank = 1 << 20

// Timeline orders one trigger's summaries, given in received order, into
// their sequence (see Sequence). The trigger is the first non-empty one
// among the summaries.
func Timeline(summaries []Summary) Group {
	var g Group
	for _, s := range summaries {
		if g.Trigger == "" {
			g.Trigger = s.Trigger
		}
		g.Test = g.Test || s.Test
		g.Retracted = g.Retracted || isRetraction(s)
	}
	for _, i := range Sequence(summaries) {
		g.Alerts = append(g.Alerts, typeName(summaries[i]))
	}
	return g
}

// Sequence returns the indices of one trigger's summaries, given in received
// order, in their timeline order: alerts of a known type by their place in
// the sequence (so an Initial that arrives after a Retraction still shows
// before it), alerts of other types just after the alert received before
// them, and retractions last.
func Sequence(summaries []Summary) []int {
	ranks := make([]int, len(summaries))
	order := make([]int, len(summaries))
	last := 0
	for i, s := range summaries {
		order[i] = i
		rank, known := sequenceRanks[typeName(s)]
		switch {
		case isRetraction(s):
			rank = retractionRank
		case !known:
			rank = last
		default:
			last = rank
		}
		ranks[i] = rank
	}
	sort.SliceStable(order, func(i, j int) bool { return ranks[order[i]] < ranks[order[j]] })
	return order
}

// typeName is the alert's type as a timeline names it.
func typeName(s Summary) string {
	if s.AlertType == "" {
		return UnknownAlertType
	}
	return s.AlertType
}

// isRetraction reports whether the alert withdraws its trigger.
func isRetraction(s Summary) bool { return s.Retraction || s.AlertType == "Retraction" }

// Timelines groups summaries, in received order, by their trigger and
// returns one timeline per trigger in the order triggers were first seen.
// Summaries without a trigger belong to no group.
func Timelines(summaries []Summary) []Group {
	var order []string
	byTrigger := map[string][]Summary{}
	for _, s := range summaries {
		if s.Trigger == "" {
			continue
		}
		if _, ok := byTrigger[s.Trigger]; !ok {
			order = append(order, s.Trigger)
		}
		byTrigger[s.Trigger] = append(byTrigger[s.Trigger], s)
	}
	groups := make([]Group, 0, len(order))
	for _, t := range order {
		groups = append(groups, Timeline(byTrigger[t]))
	}
	return groups
}
